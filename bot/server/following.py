"""Following a live stream: a new session (new convoId) every N minutes, from the store.

One Chatsight session hears only 60 seconds (api.md §2, §12.9), so a stream that turns bad an
hour in is caught only by sampling again. The schedule lives in the ``follows`` table, so a
restart resumes it; a sample that Chatsight stops or refuses ends the follow (the stream is
gone), as do a moderator and the maximum duration.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.delivery.worker import DeliveryFailed
from bot.domain.clock import now_ms
from bot.domain.convo_ids import follow_convo_id
from bot.domain.records import SessionRecord, SessionState, TagRequest
from bot.domain.server_records import Follow, FollowState
from bot.errors import ChatsightError, ChatsightRejected
from bot.sessions.service import TaggingService
from bot.store.sqlite import SQLiteStore

log = logging.getLogger(__name__)

SAMPLE_DELIVERIES = ("result", "alert")
RECHECK_MS = 5_000


@dataclass(frozen=True, slots=True)
class FollowRequest:
    channel_id: int
    stream_url: str
    source: str
    interval_s: float
    guild_id: int | None = None
    seed: str | None = None
    requester_id: int | None = None
    origin_message_id: int | None = None


class Following:
    def __init__(
        self,
        store: SQLiteStore,
        service: TaggingService,
        *,
        max_duration_s: float = 4 * 3600,
        max_idle_s: float = 30.0,
        clock: Callable[[], int] = now_ms,
        on_ended: Callable[[int], Awaitable[None]] | None = None,
    ) -> None:
        """``on_ended`` shows that the scheduler ended a follow (its timeline would otherwise
        promise samples that never come); may raise DeliveryFailed."""
        self._store = store
        self._service = service
        self._on_ended = on_ended
        self._max_duration_ms = int(max_duration_s * 1000)
        self._max_idle_s = max_idle_s
        self._clock = clock
        self._wakeup = asyncio.Event()

    async def start(self, request: FollowRequest) -> SessionRecord:
        """Store the follow, then take its first sample now.

        It is stored as not yet due: the scheduler, woken to heed the new interval, would
        otherwise take the same first sample concurrently and send its convoId twice.
        """
        now = self._clock()
        interval_ms = int(request.interval_s * 1000)
        follow_id = await self._store.create_follow(
            Follow(
                id=0,
                channel_id=request.channel_id,
                stream_url=request.stream_url,
                state=FollowState.ACTIVE,
                samples=0,
                interval_ms=interval_ms,
                next_sample_at_ms=now + interval_ms,
                ends_at_ms=now + self._max_duration_ms,
                created_at_ms=now,
                guild_id=request.guild_id,
                seed=request.seed,
                requester_id=request.requester_id,
                origin_message_id=request.origin_message_id,
            )
        )
        follow = await self._store.get_follow(follow_id)
        assert follow is not None
        self._wakeup.set()
        return await self._sample(follow, request.source)

    async def _sample(self, follow: Follow, source: str = "follow") -> SessionRecord:
        now = self._clock()
        sample = follow.samples + 1
        # Scheduled before the call: a crash skips a sample rather than taking two.
        await self._store.record_sample(follow.id, now + follow.interval_ms, now)
        request = TagRequest(
            convo_id=follow_convo_id(follow.id, sample),
            stream_url=follow.stream_url,
            source=source,
            seed=follow.seed,
            guild_id=follow.guild_id,
            channel_id=follow.channel_id,
            requester_id=follow.requester_id,
            origin_message_id=follow.origin_message_id,
            deliveries=SAMPLE_DELIVERIES,
            follow_id=follow.id,
        )
        try:
            return await self._service.start(request)
        except ChatsightRejected as error:
            # The refused sample is never delivered, so its timeline must be told here.
            await self._end_unattended(follow.id, FollowState.ENDED, error.user_message)
            raise

    async def set_origin(self, follow_id: int, message_id: int) -> None:
        await self._store.set_follow_origin(follow_id, message_id)

    async def end(self, follow_id: int, state: FollowState, reason: str) -> bool:
        ended = await self._store.end_follow(follow_id, state, reason, self._clock())
        if ended:
            log.info("follow %s %s: %s", follow_id, state.value, reason)
        return ended

    async def _end_unattended(self, follow_id: int, state: FollowState, reason: str) -> None:
        """End a follow no delivery or moderator is about to render, then show it ended."""
        if not await self.end(follow_id, state, reason) or self._on_ended is None:
            return
        try:
            await self._on_ended(follow_id)
        except DeliveryFailed as failure:
            log.warning("could not show that follow %s ended: %s", follow_id, failure.reason)

    async def stop_in_channel(self, channel_id: int, user_id: int) -> list[int]:
        """The ids of the follows this call stopped."""
        stopped = []
        for follow in await self._store.channel_follows(channel_id):
            if await self.end(follow.id, FollowState.STOPPED, f"stopped by <@{user_id}>"):
                stopped.append(follow.id)
        return stopped

    async def note_result(self, session: SessionRecord) -> None:
        """A sample Chatsight stopped means the stream is gone: stop sampling it."""
        if session.follow_id is not None and session.state is SessionState.FAILED:
            await self.end(session.follow_id, FollowState.ENDED, session.error or "stream ended")

    async def run_due(self) -> int:
        due = await self._store.due_follows(self._clock(), 50)
        for follow in due:
            if self._clock() >= follow.ends_at_ms:
                await self._end_unattended(
                    follow.id, FollowState.FINISHED, "reached the maximum duration"
                )
                continue
            samples = await self._store.follow_sessions(follow.id)
            last = samples[-1] if samples else None
            if last is not None and last.state is SessionState.FAILED:
                await self.note_result(last)
                continue
            if last is not None and last.state.awaiting:
                # One sample at a time: look again shortly instead of stacking sessions.
                retry_at = self._clock() + min(follow.interval_ms, RECHECK_MS)
                await self._store.postpone_follow(follow.id, retry_at)
                continue
            try:
                await self._sample(follow)
            except ChatsightError as error:
                log.warning(
                    "sample of follow %s failed to start: %s", follow.id, error.user_message
                )
        return len(due)

    async def run(self) -> None:
        while True:
            self._wakeup.clear()
            await self.run_due()
            due = await self._store.next_follow_due_ms()
            wait = self._max_idle_s
            if due is not None:
                wait = min(wait, max(0.0, (due - self._clock()) / 1000))
            # asyncio.timeout, not wait_for: on 3.11 wait_for swallows a cancel that arrives
            # with a wake-up, and shutdown would then wait for this loop forever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._wakeup.wait()
