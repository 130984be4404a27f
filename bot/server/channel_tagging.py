"""ChannelTagging: what a Discord command asks of the core, without any Discord objects.

The cog parses the interaction into an origin and a trigger, calls this service, and renders
what comes back, so every rule here (validation, fair use, convoIds, following, which message a
result replies to) is testable without Discord.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace

from bot.domain.convo_ids import ConvoIds, Trigger
from bot.domain.records import (
    MAX_SEED_LENGTH,
    SERVER_DELIVERIES,
    DeliveryKind,
    Origin,
    SessionRecord,
    SessionSource,
    TagRequest,
)
from bot.domain.refusals import NoSessionYet, SeedTooLong, UnknownSession
from bot.domain.stream_urls import validate_stream_url
from bot.errors import ChatsightError
from bot.server.admission import TagGate
from bot.server.following import Following, FollowRequest
from bot.sessions.service import TaggingService


@dataclass(frozen=True, slots=True)
class Admitted:
    """A request that passed every check needing no Chatsight call."""

    request: TagRequest
    trigger: Trigger
    follow: bool


class ChannelTagging:
    def __init__(
        self,
        service: TaggingService,
        gate: TagGate,
        following: Following,
        convo_ids: ConvoIds,
    ) -> None:
        self._service = service
        self._gate = gate
        self._following = following
        self._convo_ids = convo_ids

    def check_request(self, url: str, seed: str | None) -> str:
        """Validate before deferring, so a typo gets an instant, private answer."""
        if seed is not None and len(seed) > MAX_SEED_LENGTH:
            raise SeedTooLong(MAX_SEED_LENGTH)
        return validate_stream_url(url)

    async def admit_member(self, origin: Origin, trigger: Trigger) -> None:
        """The member's cooldown for the "Tag stream" menu, before it defers; the server's cap
        is taken by each of its streams' follows, like an announcement's (admission.py)."""
        assert origin.requester_id is not None
        convo_id = self._convo_ids.for_session(origin, trigger, sample=1)
        await self._gate.admit(origin.requester_id, None, convo_id)

    async def admit(
        self, origin: Origin, trigger: Trigger, url: str, seed: str | None, *, follow: bool
    ) -> Admitted:
        """Every check that needs no Chatsight call, so it can answer within Discord's 3 s."""
        stream_url = self.check_request(url, seed)
        followed = follow and origin.guild_id is not None
        if followed and origin.channel_id is not None:
            await self._following.refuse_a_second(origin.channel_id, stream_url)
        origin = replace(origin, seed=seed or None)
        # A followed stream's first session is its sample 1 (following.py derives the rest).
        convo_id = self._convo_ids.for_session(origin, trigger, sample=1 if follow else 0)
        assert origin.requester_id is not None
        await self._gate.admit(origin.requester_id, origin.guild_id, convo_id)
        request = TagRequest(
            convo_id=convo_id,
            stream_url=stream_url,
            source=SessionSource.SLASH,
            origin=origin,
            # In a server, a result is also checked against its moderator alerts and members'
            # tag subscriptions.
            deliveries=SERVER_DELIVERIES if origin.guild_id is not None else (DeliveryKind.RESULT,),
        )
        return Admitted(request, trigger, followed)

    async def begin(self, admitted: Admitted, answer_message_id: int | None) -> SessionRecord:
        """One session, or the first sample of a followed stream; the result (or the follow's
        timeline) replies to ``answer_message_id``, the command's answer, when it is known."""
        request = admitted.request
        origin = replace(request.origin, message_id=answer_message_id)
        if not admitted.follow:
            return await self._service.start(replace(request, origin=origin))
        started = await self._following.start(
            FollowRequest(
                request.stream_url, request.source, origin, admitted.trigger, admitted=True
            )
        )
        assert started is not None, "an admitted first sample never waits"
        return started

    async def answered(self, session: SessionRecord, message_id: int) -> None:
        """The command's answer is posted: bind it as what the result replies to, unless
        ``begin`` already knew it (binding it early keeps the reply even when Chatsight's
        result outruns the answer)."""
        if session.origin.message_id is not None:
            return
        await self._service.store.set_origin_message(session.convo_id, message_id)
        if session.follow_id is not None:
            await self._following.set_origin(session.follow_id, message_id)

    async def status(self, channel_id: int, convo_id: str | None) -> SessionRecord:
        """One session of this channel, refreshed from Chatsight while it still awaits a result."""
        if convo_id is None:
            latest = await self._service.store.channel_sessions(channel_id, 1)
            if not latest:
                raise NoSessionYet()
            convo_id = latest[0].convo_id
        record = await self._service.store.get_session(convo_id.strip())
        if record is None or record.origin.channel_id != channel_id:
            raise UnknownSession()
        if record.state.awaiting:
            # Chatsight being unreachable must not hide what we already know.
            with contextlib.suppress(ChatsightError):
                record = await self._service.refresh(record.convo_id) or record
        return record

    async def history(self, channel_id: int, limit: int = 10) -> list[SessionRecord]:
        return await self._service.store.channel_sessions(channel_id, limit)
