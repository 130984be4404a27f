"""Following a live stream: a new session (new convoId) every N minutes, from the store.

One Chatsight session hears only 60 seconds (docs/chatsight-api.md §2, §12.9), so a stream that
turns bad an hour in is caught only by sampling again. The schedule lives in the ``follows`` table,
so a restart resumes it. A follow ends in one of four ways, each through ``_finish``, which also
shows it on the follow's timeline: a sample that Chatsight stops or refuses, or that finds no
stream (the stream is gone), a moderator or the member who asked (the Stop button,
``/chatsight unfollow``), or the maximum duration.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from bot.domain.clock import now_ms
from bot.domain.convo_ids import ConvoIds, Trigger
from bot.domain.due_loop import DueLoop
from bot.domain.records import (
    SERVER_DELIVERIES,
    Origin,
    SessionRecord,
    SessionSource,
    SessionState,
    TagRequest,
)
from bot.domain.refusals import AlreadyFollowed, NotAllowedToStopFollow, UnknownFollow
from bot.domain.server_records import DEFAULT_INTERVAL_MINUTES, Follow, FollowState
from bot.domain.stream_details import NO_DETAILS, StreamDetails
from bot.domain.stream_end import stream_ended
from bot.domain.stream_refusals import StreamRefusal
from bot.domain.stream_urls import canonical_stream_url
from bot.errors import ChatsightError, ChatsightRejected
from bot.server.admission import AutomaticSlots
from bot.sessions.service import TaggingService
from bot.store.base import StoreUnavailable
from bot.store.interface import FollowStore, ServerSettingsStore

log = logging.getLogger(__name__)

RECHECK_MS = 5_000
# Long enough to start a sample (Chatsight's retries included); a process that dies holding the
# lease delays that follow's next sample by this much, never doubles it.
SAMPLE_LEASE_MS = 60_000
# What a follow's timeline says when Chatsight stopped a sample because the stream ended.
ENDED_REASON = "the stream went offline"


def follow_of_stream(
    follows: Iterable[Follow], stream_url: str, *, besides: int | None = None
) -> Follow | None:
    """The follow among ``follows`` of the stream at ``stream_url``, however either link is
    spelled; one that ``besides`` (a message or interaction) started does not count."""
    wanted = canonical_stream_url(stream_url)
    return next(
        (
            follow
            for follow in follows
            if follow.trigger.snowflake != besides
            and canonical_stream_url(follow.stream_url) == wanted
        ),
        None,
    )


class FollowNotSampled(StoreUnavailable):
    """The follow is stored but its first sample could not be: the scheduler takes that sample
    when it falls due, one interval on, so starting the follow again would follow it twice."""


class FollowingStore(FollowStore, ServerSettingsStore, Protocol):
    """Follows, and the server's interval."""


@dataclass(frozen=True, slots=True)
class FollowRequest:
    stream_url: str
    source: SessionSource
    origin: Origin
    trigger: Trigger
    # What the announcement showed of the stream: given to the first sample, whose record the
    # timeline keeps showing it from.
    stream: StreamDetails = NO_DETAILS
    # Its first sample holds a slot already (``/tag follow:True`` was admitted as a member's).
    admitted: bool = False


class Following:
    def __init__(
        self,
        store: FollowingStore,
        service: TaggingService,
        convo_ids: ConvoIds,
        *,
        minute_s: float = 60.0,
        max_duration_s: float = 4 * 3600,
        max_idle_s: float = 30.0,
        clock: Callable[[], int] = now_ms,
        on_ended: Callable[[int], Awaitable[None]] | None = None,
        slots: AutomaticSlots | None = None,
    ) -> None:
        """``minute_s``: a server's interval is in minutes; tests shorten the minute.
        ``on_ended`` shows on a follow's timeline that it ended (it would otherwise promise
        samples that never come); it logs its own failures and never raises."""
        self._store = store
        self._service = service
        self._convo_ids = convo_ids
        self._minute_s = minute_s
        self._on_ended = on_ended
        # Without it (tests of the schedule alone), samples ignore the server's cap.
        self._slots = slots
        self._max_duration_ms = int(max_duration_s * 1000)
        self._clock = clock
        self._due = DueLoop(clock, max_idle_s)

    async def start(self, request: FollowRequest) -> SessionRecord | None:
        """Store the follow, then take its first sample now (None: it waits for a slot).

        It is stored as not yet due: the scheduler, woken to heed the new interval, would
        otherwise take the same first sample concurrently and send its convoId twice. Started
        again with the same trigger (a retry whose first try committed unseen), it is the same
        follow, and a first sample already taken is returned rather than taken twice.
        """
        now = self._clock()
        interval_ms = await self._interval_ms(request.origin.guild_id)
        follow_id = await self._store.create_follow(
            Follow(
                id=0,
                stream_url=request.stream_url,
                source=request.source,
                state=FollowState.ACTIVE,
                samples=0,
                interval_ms=interval_ms,
                next_sample_at_ms=now + interval_ms,
                ends_at_ms=now + self._max_duration_ms,
                created_at_ms=now,
                origin=request.origin,
                trigger=request.trigger,
            )
        )
        try:
            follow = await self._store.get_follow(follow_id)
            assert follow is not None
            if follow.samples or follow.state is not FollowState.ACTIVE:
                # A retry of a start that took its first sample, or whose follow ended since.
                first = self._convo_ids.for_session(follow.origin, follow.trigger, 1)
                return await self._service.store.get_session(first)
            self._due.wake()
            return await self._sample(follow, request.stream, admitted=request.admitted)
        except StoreUnavailable as error:
            raise FollowNotSampled(str(error)) from error

    async def refuse_a_second(self, channel_id: int, stream_url: str) -> None:
        """Raises AlreadyFollowed when the channel follows this stream, however its link is
        spelled (an announcement's follow included)."""
        follow = follow_of_stream(await self._store.channel_follows(channel_id), stream_url)
        if follow is None:
            return
        timeline = None
        if follow.timeline_channel_id and follow.timeline_message_id:
            timeline = (
                follow.origin.guild_id,
                follow.timeline_channel_id,
                follow.timeline_message_id,
            )
        raise AlreadyFollowed(timeline)

    async def _interval_ms(self, guild_id: int | None) -> int:
        """The server's sampling interval, read when the follow starts."""
        minutes = DEFAULT_INTERVAL_MINUTES
        if guild_id is not None:
            minutes = (await self._store.guild_settings(guild_id)).autotag_interval_minutes
        return int(minutes * self._minute_s * 1000)

    async def _sample(
        self, follow: Follow, stream: StreamDetails = NO_DETAILS, *, admitted: bool = False
    ) -> SessionRecord | None:
        sample = follow.samples + 1
        convo_id = self._convo_ids.for_session(follow.origin, follow.trigger, sample)
        if (
            not admitted
            and self._slots is not None
            and not await self._slots.take(follow, convo_id)
        ):
            retry_at = self._clock() + min(follow.interval_ms, RECHECK_MS)
            await self._store.postpone_follow(follow.id, retry_at)
            return None
        now = self._clock()
        # Scheduled before the call: a crash skips a sample rather than taking two. Counted by
        # one caller only: another that took it first (the same announcement seen twice at
        # once) leaves it to that one, whose session it shows once started.
        if not await self._store.record_sample(
            follow.id, now + follow.interval_ms, now, taken=follow.samples
        ):
            return await self._service.store.get_session(convo_id)
        request = TagRequest(
            convo_id=convo_id,
            stream_url=follow.stream_url,
            source=follow.source,
            origin=follow.origin,
            deliveries=SERVER_DELIVERIES,
            follow_id=follow.id,
            stream=stream,
        )
        try:
            return await self._service.start(request)
        except (ChatsightRejected, StreamRefusal):
            # The refused sample is never delivered, so its timeline must be told here, in the
            # words its failed session was given (an offline stream ends here too: each sample
            # finds the stream afresh).
            session = await self._service.store.get_session(request.convo_id)
            reason = session.error if session is not None and session.error else "refused"
            await self._finish(follow.id, FollowState.ENDED, reason)
            raise

    async def set_origin(self, follow_id: int, message_id: int) -> None:
        await self._store.set_follow_origin(follow_id, message_id)

    async def _end(self, follow_id: int, state: FollowState, reason: str) -> bool:
        ended = await self._store.end_follow(follow_id, state, reason, self._clock())
        if ended:
            log.info("follow %s %s: %s", follow_id, state.value, reason)
        return ended

    async def _finish(self, follow_id: int, state: FollowState, reason: str) -> bool:
        """End a follow and show it on its timeline; whether this call ended it."""
        ended = await self._end(follow_id, state, reason)
        if ended and self._on_ended is not None:
            await self._on_ended(follow_id)
        return ended

    async def stop(self, follow_id: int, user_id: int, *, moderator: bool) -> Follow:
        """A member stops one follow (its Stop button): moderators, or the member who asked."""
        follow = await self._store.get_follow(follow_id)
        if follow is None:
            raise UnknownFollow()
        if not (moderator or user_id == follow.origin.requester_id):
            raise NotAllowedToStopFollow()
        await self._finish(follow_id, FollowState.STOPPED, f"stopped by <@{user_id}>")
        stopped = await self._store.get_follow(follow_id)
        assert stopped is not None
        return stopped

    async def stop_in_channel(self, channel_id: int, user_id: int) -> list[int]:
        """A moderator stops every follow of a channel; the ids of those this call stopped."""
        stopped = []
        for follow in await self._store.channel_follows(channel_id):
            if await self._finish(follow.id, FollowState.STOPPED, f"stopped by <@{user_id}>"):
                stopped.append(follow.id)
        return stopped

    async def note_result(self, session: SessionRecord) -> None:
        """A sample Chatsight stopped means the stream is gone: stop sampling it. The delivery
        that calls this renders the timeline next, so nothing is shown here."""
        if session.follow_id is not None and session.state is SessionState.FAILED:
            reason = ENDED_REASON if stream_ended(session) else session.error or ENDED_REASON
            await self._end(session.follow_id, FollowState.ENDED, reason)

    async def run_due(self) -> int:
        # Leased, so a follow is sampled by one process however many share the database.
        due = await self._store.claim_due_follows(self._clock(), SAMPLE_LEASE_MS, 50)
        for follow in due:
            if self._clock() >= follow.ends_at_ms:
                await self._finish(follow.id, FollowState.FINISHED, "reached the maximum duration")
                continue
            if self._slots is not None and self._slots.waited_too_long(follow):
                await self._end(follow.id, FollowState.ENDED, "dropped: the server stayed busy")
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
            except StreamRefusal as refusal:
                log.info("sample of follow %s found no stream: %r", follow.id, refusal)
        return len(due)

    async def run(self) -> None:
        await self._due.run(self.run_due, self._store.next_follow_due_ms)
