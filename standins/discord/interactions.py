"""Interactions as Discord builds them when a user runs a command or clicks a button.

Option values are typed from the command the application registered (as Discord types them),
and user/role/channel options get their ``resolved`` entries, so discord.py's transformers see
exactly what they would in production.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from .model import JSON, BotApp, Interaction, StoredMessage
from .serialize import channel_json, member_json, message_json, role_json, user_json
from .state import State

APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE_INTERACTION = 2, 3, 4  # interaction types
CHAT_INPUT, MESSAGE_COMMAND = 1, 3  # application command types
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2  # option types from here on
OPT_INTEGER, OPT_BOOLEAN, OPT_USER, OPT_CHANNEL, OPT_ROLE = 4, 5, 6, 7, 8
OPT_MENTIONABLE, OPT_NUMBER = 9, 10


class InteractionBuilder:
    def __init__(self, state: State) -> None:
        self.state = state

    def find_command(self, bot: BotApp, guild_id: int, name: str, kind: int) -> JSON:
        for scope in (guild_id, None):
            for command in self.state.commands.get((bot.application_id, scope), []):
                if command["name"] == name and command["type"] == kind:
                    return command
        raise ValueError(f"application {bot.application_id} registered no command {name!r}")

    def _resolve(self, guild_id: int, user_id: int, kind: int, value: Any, resolved: JSON) -> None:
        target = int(value)
        guild = self.state.guilds[guild_id]
        if kind == OPT_CHANNEL:
            channel = self.state.channels[target]
            perms = self.state.permissions(channel, user_id)
            entry = {**channel_json(channel), "permissions": str(perms)}
            resolved.setdefault("channels", {})[str(target)] = entry
        elif kind == OPT_ROLE or (kind == OPT_MENTIONABLE and target in self.state.roles):
            resolved.setdefault("roles", {})[str(target)] = role_json(self.state.roles[target])
        else:
            resolved.setdefault("users", {})[str(target)] = user_json(self.state.users[target])
            member = guild.members.get(target)
            if member is not None:
                entry = member_json(self.state, member, with_user=False)
                resolved.setdefault("members", {})[str(target)] = entry

    def _options(
        self,
        guild_id: int,
        user_id: int,
        definitions: list[JSON],
        path: list[str],
        values: dict[str, Any],
        resolved: JSON,
        focused: str | None = None,
    ) -> list[JSON]:
        by_name = {d["name"]: d for d in definitions}
        if path:
            sub = by_name.get(path[0])
            if sub is None or sub["type"] not in (SUB_COMMAND, SUB_COMMAND_GROUP):
                raise ValueError(f"no subcommand {path[0]!r}")
            inner = self._options(
                guild_id, user_id, sub.get("options") or [], path[1:], values, resolved, focused
            )
            return [{"name": sub["name"], "type": sub["type"], "options": inner}]
        options = []
        for name, value in values.items():
            definition = by_name.get(name)
            if definition is None:
                raise ValueError(f"the command has no option {name!r}")
            kind = int(definition["type"])
            if name == focused:
                # What the user has typed so far, as text whatever the option's type.
                if not definition.get("autocomplete"):
                    raise ValueError(f"option {name!r} does not autocomplete")
                options.append({"name": name, "type": kind, "value": str(value), "focused": True})
                continue
            offered = definition.get("channel_types")
            if (
                kind == OPT_CHANNEL
                and offered
                and self.state.channel(int(value)).type not in offered
            ):
                raise ValueError(f"Discord offers no channel of that type for {name!r}")
            if kind in (OPT_USER, OPT_CHANNEL, OPT_ROLE, OPT_MENTIONABLE):
                self._resolve(guild_id, user_id, kind, value, resolved)
                value = str(int(value))
            elif kind == OPT_INTEGER:
                value = int(value)
            elif kind == OPT_NUMBER:
                value = float(value)
            elif kind == OPT_BOOLEAN:
                value = bool(value)
            else:
                value = str(value)
            options.append({"name": name, "type": kind, "value": value})
        return options

    def slash_data(
        self,
        bot: BotApp,
        guild_id: int,
        user_id: int,
        name: str,
        values: dict[str, Any],
        focused: str | None = None,
    ) -> JSON:
        """A command's data; with ``focused``, an autocomplete's, that option marked as the one
        being typed in (docs/discord-notes.md)."""
        if focused is not None and focused not in values:
            raise ValueError(f"the focused option {focused!r} needs a value (what is typed)")
        command_name, *path = name.split()
        command = self.find_command(bot, guild_id, command_name, CHAT_INPUT)
        resolved: JSON = {}
        data: JSON = {
            "id": command["id"],
            "name": command["name"],
            "type": CHAT_INPUT,
            "options": self._options(
                guild_id, user_id, command.get("options") or [], path, values, resolved, focused
            ),
        }
        if resolved:
            data["resolved"] = resolved
        if "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        return data

    def message_command_data(
        self, bot: BotApp, guild_id: int, name: str, target: StoredMessage
    ) -> JSON:
        command = self.find_command(bot, guild_id, name, MESSAGE_COMMAND)
        data: JSON = {
            "id": command["id"],
            "name": command["name"],
            "type": MESSAGE_COMMAND,
            "target_id": str(target.id),
            "resolved": {"messages": {str(target.id): message_json(target, bot.user_id)}},
        }
        if "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        return data

    def build(
        self,
        bot: BotApp,
        *,
        kind: int,
        guild_id: int,
        channel_id: int,
        user_id: int,
        data: JSON,
        message: StoredMessage | None = None,
    ) -> Interaction:
        state = self.state
        guild = state.guilds[guild_id]
        channel = state.channel(channel_id)
        if channel.thread is not None and channel.thread.archived:
            raise ValueError("application commands cannot be used in an archived thread")
        member = guild.members.get(user_id)
        if member is None:
            raise ValueError(f"user {user_id} is not a member of guild {guild_id}")
        user_perms = state.permissions(channel, user_id)
        bot_perms = state.permissions(channel, bot.user_id) if bot.user_id in guild.members else 0
        interaction_id = state.ids.next()
        token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)
        payload: JSON = {
            "id": str(interaction_id),
            "application_id": str(bot.application_id),
            "type": kind,
            "data": data,
            "guild_id": str(guild_id),
            "guild": {"id": str(guild_id), "locale": guild.preferred_locale, "features": []},
            "channel_id": str(channel_id),
            "channel": {**channel_json(channel), "permissions": str(user_perms)},
            "member": {**member_json(state, member), "permissions": str(user_perms)},
            "token": token,
            "version": 1,
            "app_permissions": str(bot_perms),
            # The member's client language, and the server's (docs/discord-notes.md).
            "locale": state.users[user_id].locale,
            "guild_locale": guild.preferred_locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": str(guild_id)},
            "context": 0,
            "attachment_size_limit": state.config.attachment_size_limit,
        }
        if message is not None:
            payload["message"] = message_json(message, bot.user_id)
        interaction = Interaction(
            id=interaction_id,
            token=token,
            type=kind,
            application_id=bot.application_id,
            user_id=user_id,
            guild_id=guild_id,
            channel_id=channel_id,
            payload=payload,
            created_at=time.monotonic(),
            message_id=message.id if message is not None else None,
        )
        state.interactions[interaction_id] = interaction
        state.changed()
        return interaction
