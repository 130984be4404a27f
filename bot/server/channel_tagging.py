"""ChannelTagging: what a Discord command asks of the core, without any Discord objects.

The cog parses the interaction into plain ids and strings, calls this service, and renders what
comes back, so every rule here is testable without Discord.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from bot.domain.convo_ids import discord_convo_id
from bot.domain.records import SessionRecord, TagRequest
from bot.domain.stream_urls import validate_stream_url
from bot.errors import ChatsightBotError, ChatsightError
from bot.server.admission import TagGate
from bot.server.following import Following, FollowRequest
from bot.sessions.service import TaggingService

MAX_SEED_LENGTH = 1000


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a request came from: the server, the channel, the member and the trigger's id."""

    guild_id: int | None
    channel_id: int
    user_id: int
    trigger_id: int


class UnknownSession(ChatsightBotError):
    def __init__(self) -> None:
        super().__init__("I know no tagging session by that id in this channel.")


class ChannelTagging:
    def __init__(
        self, service: TaggingService, gate: TagGate, following: Following | None = None
    ) -> None:
        self._service = service
        self._gate = gate
        self._following = following

    def check_request(self, url: str, seed: str | None) -> str:
        """Validate before deferring, so a typo gets an instant, private answer."""
        if seed is not None and len(seed) > MAX_SEED_LENGTH:
            raise ChatsightBotError(f"The seed sentence is too long: at most {MAX_SEED_LENGTH}.")
        return validate_stream_url(url)

    async def admit_member(self, user_id: int, guild_id: int | None) -> None:
        await self._gate.admit(user_id, guild_id)

    async def admit(
        self, origin: Origin, url: str, seed: str | None, *, source: str = "slash"
    ) -> TagRequest:
        """Every check that needs no Chatsight call, so it can answer within Discord's 3 s."""
        stream_url = self.check_request(url, seed)
        await self._gate.admit(origin.user_id, origin.guild_id)
        return TagRequest(
            convo_id=discord_convo_id(origin.guild_id, origin.channel_id, origin.trigger_id),
            stream_url=stream_url,
            source=source,
            seed=seed or None,
            guild_id=origin.guild_id,
            channel_id=origin.channel_id,
            requester_id=origin.user_id,
            # In a server, a result is also checked against its moderator alerts.
            deliveries=("result", "alert") if origin.guild_id is not None else ("result",),
        )

    async def begin(
        self, request: TagRequest, *, follow_every_s: float | None = None
    ) -> SessionRecord:
        """One session, or the first sample of a followed stream."""
        if follow_every_s is None or self._following is None:
            return await self._service.start(request)
        assert request.channel_id is not None
        return await self._following.start(
            FollowRequest(
                channel_id=request.channel_id,
                stream_url=request.stream_url,
                source=request.source,
                interval_s=follow_every_s,
                guild_id=request.guild_id,
                seed=request.seed,
                requester_id=request.requester_id,
            )
        )

    async def attach_answer(self, session: SessionRecord, message_id: int) -> None:
        """The message the result (or a follow's timeline) will reply to."""
        await self._service.store.set_origin_message(session.convo_id, message_id)
        if session.follow_id is not None and self._following is not None:
            await self._following.set_origin(session.follow_id, message_id)

    async def status(self, channel_id: int, convo_id: str | None) -> SessionRecord:
        """One session of this channel, refreshed from Chatsight while it still awaits a result."""
        if convo_id is None:
            latest = await self._service.store.channel_sessions(channel_id, 1)
            if not latest:
                raise ChatsightBotError("No tagging session has been started in this channel.")
            convo_id = latest[0].convo_id
        record = await self._service.store.get_session(convo_id.strip())
        if record is None or record.channel_id != channel_id:
            raise UnknownSession()
        if record.state.awaiting:
            # Chatsight being unreachable must not hide what we already know.
            with contextlib.suppress(ChatsightError):
                record = await self._service.refresh(record.convo_id) or record
        return record

    async def history(self, channel_id: int, limit: int = 10) -> list[SessionRecord]:
        return await self._service.store.channel_sessions(channel_id, limit)
