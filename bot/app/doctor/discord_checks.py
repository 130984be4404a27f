"""The doctor's Discord checks, through Discord's REST API with the bot's token: who it logs in
as, the privileged intent against the settings, the slash commands against the bot's own, and
the bot's permissions in every channel a server configured."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import discord
from discord.app_commands import ContextMenu
from discord.http import HTTPClient

from bot.app.channel_access import POSTING
from bot.app.chatsight_bot import EXTENSIONS, ChatsightBot
from bot.app.doctor.findings import Finding, failed, passed
from bot.app.doctor.permissions import JSON, channel_permissions
from bot.config import Settings
from bot.domain.server_records import GuildSettings
from bot.language.catalogue import ENGLISH_WORDS
from bot.rendering.refusals import permission_names
from bot.store.interface import Store

# Either flag lets the gateway send message content (docs/discord-notes.md, intents).
MESSAGE_CONTENT_FLAGS = (1 << 18) | (1 << 19)
SLASH = discord.AppCommandType.chat_input
INVITE_FIX = "add the bot again with `chatsight-bot invite`, or grant the permission to its role"


class DiscordChecks:
    def __init__(self, settings: Settings, http: HTTPClient) -> None:
        self._settings = settings
        self._http = http
        self._user_id = 0

    async def token(self) -> Finding:
        token = self._settings.discord_token
        if token is None:
            return failed("Discord token", "DISCORD_TOKEN is not set", "set DISCORD_TOKEN")
        try:
            user = await self._http.static_login(token.reveal())
        except discord.LoginFailure:
            return failed(
                "Discord token",
                "Discord refused DISCORD_TOKEN",
                "reset the token in the Developer Portal (Bot → Reset Token) and set it again",
            )
        self._user_id = int(user["id"])
        return passed("Discord token", f"logs in as {user['username']} ({user['id']})")

    async def intents(self, application: Mapping[str, Any]) -> Finding:
        has = bool(int(application.get("flags") or 0) & MESSAGE_CONTENT_FLAGS)
        wants = self._settings.message_content_intent
        if wants and not has:
            return failed(
                "Message Content intent",
                "DISCORD_MESSAGE_CONTENT=true, but the application does not have the intent,"
                " so auto-tagging waits for it",
                "enable it in the Developer Portal (Bot → Privileged Gateway Intents → Message"
                " Content Intent), or set DISCORD_MESSAGE_CONTENT=false",
            )
        if not wants:
            return passed("Message Content intent", "not asked for: auto-tagging is off")
        return passed("Message Content intent", "enabled and asked for")

    async def commands(self, application_id: int) -> Finding:
        ours = await expected_commands(self._settings)
        guild = self._settings.dev_guild_id
        if guild is None:
            synced = await self._http.get_global_commands(application_id)
            where = "globally"
        else:
            where = f"to guild {guild}"
            try:
                synced = await self._http.get_guild_commands(application_id, guild)
            except discord.Forbidden:
                return failed(
                    "slash commands",
                    f"cannot be read in guild {guild} (DEV_GUILD_ID): the bot is not in it",
                    "add the bot to that server (`chatsight-bot invite`), or unset DEV_GUILD_ID",
                )
        theirs = {(command["name"], int(command.get("type", 1))) for command in synced}
        missing = sorted(name for name, kind in ours - theirs)
        stale = sorted(name for name, kind in theirs - ours)
        if missing or stale:
            detail = ", ".join(
                part
                for part in (
                    f"missing {', '.join(missing)}" if missing else "",
                    f"not the bot's {', '.join(stale)}" if stale else "",
                )
                if part
            )
            return failed(
                "slash commands", f"not synced {where}: {detail}", "run `chatsight-bot sync`"
            )
        return passed("slash commands", f"{len(ours)} synced {where}")

    async def servers(self, store: Store) -> list[Finding]:
        """One finding per configured server: every configured channel and the alert role."""
        findings = []
        for guild_id in await store.configured_guild_ids():
            findings.append(await self._server(await store.guild_settings(guild_id)))
        return findings

    async def _server(self, settings: GuildSettings) -> Finding:
        check = f"server {settings.guild_id}"
        try:
            guild = await self._http.get_guild(settings.guild_id)
            member = await self._http.get_member(settings.guild_id, self._user_id)
        except (discord.NotFound, discord.Forbidden):
            return failed(
                check, "the bot is not in this server any more", "add it again, or ignore"
            )
        problems = []
        channels = [
            ("results channel", settings.results_channel_id),
            ("alerts channel", settings.alert_channel_id),
            *(("watched channel", channel) for channel in settings.autotag_channel_ids),
        ]
        for label, channel_id in channels:
            if channel_id is not None:
                problem = await self._channel(guild, member, label, channel_id)
                if problem:
                    problems.append(problem)
        role_problem = _role(guild, member, settings.alert_role_id, self._user_id)
        if role_problem:
            problems.append(role_problem)
        if problems:
            return failed(f"{check} ({guild['name']})", "; ".join(problems), INVITE_FIX)
        return passed(f"{check} ({guild['name']})", f"{len(channels)} configured channel(s) usable")

    async def _channel(
        self, guild: Mapping[str, Any], member: Mapping[str, Any], label: str, channel_id: int
    ) -> str:
        try:
            channel = cast(JSON, await self._http.get_channel(channel_id))
        except discord.NotFound:
            return f"{label} {channel_id} no longer exists"
        except discord.Forbidden:
            return f"{label} {channel_id}: the bot cannot see it"
        if channel.get("parent_id") and int(channel.get("type", 0)) in (10, 11, 12):
            channel = cast(JSON, await self._http.get_channel(int(channel["parent_id"])))
        permissions = channel_permissions(guild, member, channel, self._user_id)
        missing = tuple(name for name in POSTING if not getattr(permissions, name))
        if missing:
            return f"{label} <#{channel_id}> lacks {permission_names(missing, words=ENGLISH_WORDS)}"
        return ""


def _role(
    guild: Mapping[str, Any], member: Mapping[str, Any], role_id: int | None, user_id: int
) -> str:
    if role_id is None:
        return ""
    role = next((r for r in guild.get("roles", []) if int(r["id"]) == role_id), None)
    if role is None:
        return f"alert role {role_id} no longer exists"
    everywhere = channel_permissions(guild, member, {}, user_id)
    if not role.get("mentionable") and not everywhere.mention_everyone:
        return f"alert role @{role['name']} cannot be mentioned (make it mentionable)"
    return ""


async def expected_commands(settings: Settings) -> set[tuple[str, int]]:
    """The bot's own commands (name, type), as its extensions declare them, without logging in."""
    async with ChatsightBot(settings, run_core=False) as bot:
        for extension in EXTENSIONS:
            await bot.load_extension(extension)
        return {
            (command.name, (command.type if isinstance(command, ContextMenu) else SLASH).value)
            for command in bot.tree.get_commands()
        }
