"""Gateway events built from store changes, filtered per session as Discord filters them.

The message-content rule lives here: a session without the MESSAGE_CONTENT intent receives
``content``, ``embeds``, ``attachments`` and ``components`` empty, except for messages its
own bot wrote or that mention its bot.
"""

from __future__ import annotations

from .gateway import (
    GUILD_MEMBERS,
    GUILD_MESSAGE_REACTIONS,
    GUILD_MESSAGES,
    GUILDS,
    MESSAGE_CONTENT,
    Gateway,
    Session,
)
from .model import JSON, Channel, Interaction, Role, StoredMessage
from .permissions import VIEW_CHANNEL
from .serialize import (
    channel_json,
    guild_create_json,
    guild_json,
    member_json,
    message_json,
    role_json,
    thread_json,
    thread_member_json,
)
from .state import State


class Events:
    def __init__(self, state: State, gateway: Gateway) -> None:
        self.state = state
        self.gateway = gateway

    def _message_payload(self, stored: StoredMessage, session: Session) -> JSON | None:
        if stored.ephemeral_for is not None or not session.has(GUILD_MESSAGES):
            return None
        bot_id = session.bot.user_id
        data = message_json(stored, bot_id)
        channel = self.state.channels[stored.channel_id]
        if channel.thread is not None and not self._sees(channel, bot_id):
            return None
        data["guild_id"] = str(channel.guild_id)
        guild = self.state.guilds[channel.guild_id]
        author_member = guild.members.get(int(data["author"]["id"]))
        if author_member is not None:
            data["member"] = member_json(self.state, author_member, with_user=False)
        mentioned = any(int(u["id"]) == bot_id for u in data["mentions"])
        own = int(data["author"]["id"]) == bot_id
        if not session.has(MESSAGE_CONTENT) and not own and not mentioned:
            data.update(content="", embeds=[], attachments=[], components=[])
            data.pop("poll", None)
        return data

    async def message(self, event: str, stored: StoredMessage) -> None:
        """MESSAGE_CREATE or MESSAGE_UPDATE (Discord now sends the full message on update)."""
        guild_id = self.state.channels[stored.channel_id].guild_id
        await self.gateway.dispatch(
            event, lambda s: self._message_payload(stored, s), guild_id=guild_id
        )

    async def message_deleted(self, stored: StoredMessage) -> None:
        guild_id = self.state.channels[stored.channel_id].guild_id
        payload = {
            "id": str(stored.id),
            "channel_id": str(stored.channel_id),
            "guild_id": str(guild_id),
        }
        await self.gateway.dispatch(
            "MESSAGE_DELETE",
            lambda s: payload if s.has(GUILD_MESSAGES) and stored.ephemeral_for is None else None,
            guild_id=guild_id,
        )

    async def reaction(self, stored: StoredMessage, user_id: int, emoji: JSON, added: bool) -> None:
        channel = self.state.channels[stored.channel_id]
        guild = self.state.guilds[channel.guild_id]
        payload: JSON = {
            "user_id": str(user_id),
            "channel_id": str(channel.id),
            "message_id": str(stored.id),
            "guild_id": str(guild.id),
            "emoji": emoji,
            "burst": False,
            "type": 0,
        }
        if added:
            payload["message_author_id"] = stored.data["author"]["id"]
            payload["burst_colors"] = []
            if user_id in guild.members:
                payload["member"] = member_json(self.state, guild.members[user_id])
        event = "MESSAGE_REACTION_ADD" if added else "MESSAGE_REACTION_REMOVE"
        await self.gateway.dispatch(
            event,
            lambda s: payload if s.has(GUILD_MESSAGE_REACTIONS) else None,
            guild_id=guild.id,
        )

    async def interaction(self, interaction: Interaction) -> None:
        """Interactions go only to the application they are for, whatever its intents."""
        bot = self.state.bot_by_application(interaction.application_id)
        if bot is None:
            return
        for session in self.gateway.sessions_of(bot.user_id):
            if session.owns_guild(interaction.guild_id):
                await self.gateway.send_dispatch(session, "INTERACTION_CREATE", interaction.payload)

    async def channel(self, event: str, channel: Channel) -> None:
        payload = channel_json(channel)
        await self.gateway.dispatch(
            event, lambda s: payload if s.has(GUILDS) else None, guild_id=channel.guild_id
        )

    def _sees(self, channel: Channel, user_id: int) -> bool:
        guild = self.state.guilds[channel.guild_id]
        return user_id in guild.members and bool(
            self.state.permissions(channel, user_id) & VIEW_CHANNEL
        )

    async def thread(self, event: str, channel: Channel, *, created: bool = False) -> None:
        """THREAD_CREATE, THREAD_UPDATE or THREAD_DELETE, only to bots that can see the thread
        (docs/discord-notes.md, Channels); a new thread is marked ``newly_created``."""

        def payload(session: Session) -> JSON | None:
            if not session.has(GUILDS) or not self._sees(channel, session.bot.user_id):
                return None
            if event == "THREAD_DELETE":
                return {
                    "id": str(channel.id),
                    "guild_id": str(channel.guild_id),
                    "parent_id": str(channel.parent_id),
                    "type": channel.type,
                }
            data = thread_json(channel, session.bot.user_id)
            if created:
                data["newly_created"] = True
            return data

        await self.gateway.dispatch(event, payload, guild_id=channel.guild_id)

    async def thread_member_added(self, channel: Channel, user_id: int) -> None:
        """THREAD_MEMBERS_UPDATE: always to the user added, to others with the members intent
        (docs/discord-notes.md, Channels)."""
        assert channel.thread is not None
        payload: JSON = {
            "id": str(channel.id),
            "guild_id": str(channel.guild_id),
            "member_count": min(len(channel.thread.members), 50),
            "added_members": [thread_member_json(channel, user_id)],
        }

        def for_session(session: Session) -> JSON | None:
            wanted = session.bot.user_id == user_id or session.has(GUILD_MEMBERS)
            return payload if wanted and self._sees(channel, session.bot.user_id) else None

        await self.gateway.dispatch("THREAD_MEMBERS_UPDATE", for_session, guild_id=channel.guild_id)

    async def role(self, event: str, role: Role) -> None:
        payload: JSON = {"guild_id": str(role.guild_id)}
        if event == "GUILD_ROLE_DELETE":
            payload["role_id"] = str(role.id)
        else:
            payload["role"] = role_json(role)
        await self.gateway.dispatch(
            event, lambda s: payload if s.has(GUILDS) else None, guild_id=role.guild_id
        )

    async def guild_update(self, guild_id: int) -> None:
        payload = guild_json(self.state, self.state.guilds[guild_id])
        await self.gateway.dispatch(
            "GUILD_UPDATE", lambda s: payload if s.has(GUILDS) else None, guild_id=guild_id
        )

    async def member_update(self, guild_id: int, user_id: int) -> None:
        member = self.state.guilds[guild_id].members[user_id]
        payload = {"guild_id": str(guild_id), **member_json(self.state, member)}
        # Discord sends a bot its own member updates even without GUILD_MEMBERS.
        await self.gateway.dispatch(
            "GUILD_MEMBER_UPDATE",
            lambda s: payload if s.has(GUILDS) else None,
            guild_id=guild_id,
        )

    async def guild_joined(self, guild_id: int, bot_user_id: int) -> None:
        guild = self.state.guilds[guild_id]
        for session in self.gateway.sessions_of(bot_user_id):
            if session.owns_guild(guild_id) and session.has(GUILDS):
                members = session.has(GUILD_MEMBERS)
                payload = guild_create_json(self.state, guild, bot_user_id, members)
                # A join carries no ``unavailable``: discord.py reads ``false`` as an outage
                # ending (on_guild_available), its absence as a join (on_guild_join).
                del payload["unavailable"]
                await self.gateway.send_dispatch(session, "GUILD_CREATE", payload)

    async def guild_left(self, guild_id: int, bot_user_id: int) -> None:
        """GUILD_DELETE without ``unavailable``: the bot was removed from the guild
        (docs/discord-notes.md, GUILD_DELETE)."""
        for session in self.gateway.sessions_of(bot_user_id):
            if session.owns_guild(guild_id) and session.has(GUILDS):
                await self.gateway.send_dispatch(session, "GUILD_DELETE", {"id": str(guild_id)})
