"""A server's configuration checked against what the bot can do there now, from discord.py's
cache (kept current by CHANNEL_*, GUILD_ROLE_* and the bot's own GUILD_MEMBER_UPDATE events).

``/chatsight-config show`` marks what broke; when a change breaks something, the admins are told
once, in the channel the configuration was last changed in, else the server's system channel.
"""

from __future__ import annotations

import logging

import discord

from bot.app.channel_access import POSTING, POSTING_IN_THREADS, threaded
from bot.domain.config_health import ConfigProblem, problems_key
from bot.domain.server_records import GuildSettings
from bot.language.catalogue import words_for
from bot.rendering.config_health import notice_text
from bot.server.upkeep import ServerUpkeep

log = logging.getLogger(__name__)

Postable = discord.TextChannel | discord.Thread | discord.ForumChannel


def role_mentionable(guild: discord.Guild, role: discord.Role) -> bool:
    """A role pings only when mentionable, or when the bot has Mention Everyone
    (docs/discord-notes.md, Role mentions)."""
    return role.mentionable or guild.me.guild_permissions.mention_everyone


def _channel_problem(guild: discord.Guild, setting: str, channel_id: int) -> ConfigProblem | None:
    channel = guild.get_channel_or_thread(channel_id)
    if not isinstance(channel, Postable):
        return ConfigProblem(setting, channel_id)
    permissions = channel.permissions_for(guild.me)
    needed = POSTING_IN_THREADS if threaded(channel) else POSTING
    missing = tuple(name for name in needed if not getattr(permissions, name))
    return ConfigProblem(setting, channel_id, missing) if missing else None


def config_problems(guild: discord.Guild, settings: GuildSettings) -> list[ConfigProblem]:
    """What of ``settings`` the bot cannot use in ``guild`` now."""
    channels = [
        ("results channel", settings.results_channel_id),
        ("alerts channel", settings.alert_channel_id),
        *(("watched channel", channel) for channel in settings.autotag_channel_ids),
    ]
    problems = [
        problem
        for setting, channel_id in channels
        if channel_id is not None
        and (problem := _channel_problem(guild, setting, channel_id)) is not None
    ]
    if settings.alert_role_id is not None:
        role = guild.get_role(settings.alert_role_id)
        if role is None:
            problems.append(ConfigProblem("alert role", settings.alert_role_id))
        elif not role_mentionable(guild, role):
            problems.append(ConfigProblem("alert role", role.id, ("mention_everyone",)))
    return problems


async def tell_admins(guild: discord.Guild, settings: GuildSettings, upkeep: ServerUpkeep) -> None:
    """After a change in ``guild``: tell its admins what broke, once per breakage."""
    problems = config_problems(guild, settings)
    if not await upkeep.first_notice(guild.id, problems_key(problems)):
        return
    broken = {problem.target_id for problem in problems}
    where = [await upkeep.config_channel(guild.id), getattr(guild.system_channel, "id", None)]
    for channel_id in where:
        if channel_id is None or channel_id in broken:
            continue
        if _channel_problem(guild, "notice", channel_id) is not None:
            continue
        channel = guild.get_channel_or_thread(channel_id)
        assert isinstance(channel, Postable) and not isinstance(channel, discord.ForumChannel)
        try:
            await channel.send(
                # Public: in the server's language.
                notice_text(problems, words=words_for(guild.preferred_locale)),
                allowed_mentions=discord.AllowedMentions.none(),
            )
            return
        except discord.HTTPException as error:
            log.warning("could not tell guild %s its configuration broke: %s", guild.id, error)
    log.warning("guild %s: configuration broke and no channel to say so in", guild.id)
