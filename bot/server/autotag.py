"""Auto-tagging: stream URLs announced in watched channels start followed sessions.

Stream notifiers are usually bots or webhooks, so every author counts; the same stream in the
same server is tagged once per window, however its URL is spelled (its canonical form is
claimed, atomically in the store, so two copies of one announcement arriving together cannot
both start a session), and not at all while the server follows it (a notifier's "still live"
past the window). A link to a stream that is offline, or to no stream, starts nothing; the
message's other links still count.

Discord sends a message once, so an announcement the store could not take (down, read-only,
its disk full) is held in memory and tried again every few seconds until the store takes it, for
at most ten minutes (its stream was live when announced; later, a tag would describe another
moment). What a try did stays done: a stream it claimed keeps its claim's round, so the next try
does not find the stream "already tagged" by its own claim, and a stream it started is not
started again.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from bot.domain.announced import announced_seed
from bot.domain.clock import now_ms
from bot.domain.convo_ids import Trigger, announced_position
from bot.domain.records import Origin, SessionRecord, SessionSource
from bot.domain.stream_details import StreamDetails
from bot.domain.stream_refusals import StreamRefusal
from bot.domain.stream_urls import canonical_stream_url
from bot.errors import ChatsightBotError
from bot.observability import metrics
from bot.server.announcement import Announcement
from bot.server.following import Following, FollowNotSampled, FollowRequest, follow_of_stream
from bot.store.base import StoreUnavailable
from bot.store.interface import AdmissionStore, FollowStore, ServerSettingsStore

log = logging.getLogger(__name__)

HELD_RETRY_S = 5.0
HELD_FOR_MS = 10 * 60_000
MAX_HELD = 500
# At a (re)connection, the most recent messages scanned again in a watched channel and in each
# of its threads or forum posts (``catch_up_since`` says from when).
CATCH_UP_MESSAGES = 50


class AutoTagStore(ServerSettingsStore, AdmissionStore, FollowStore, Protocol):
    """Watched channels and settings, the dedupe window's claims, and whether a claim's
    follow was stored."""


@dataclass(slots=True)
class _Held:
    """An announcement's progress, kept while the store could not take all of it."""

    announcement: Announcement
    since_ms: int
    claims: dict[str, int] = field(default_factory=dict)  # canonical URL: its claim's round
    done: set[str] = field(default_factory=set)  # canonical URLs settled (started or not)
    started_late: Callable[[], Awaitable[None]] | None = None


@dataclass(slots=True)
class OnDemand:
    """What "Tag stream" did with a message's streams: started, waiting for a free slot, or
    tagged within the dedupe window already."""

    started: list[SessionRecord] = field(default_factory=list)
    waiting: int = 0
    recent: int = 0


class AutoTagger:
    def __init__(
        self,
        store: AutoTagStore,
        following: Following,
        *,
        window_s: float = 1800.0,
        clock: Callable[[], int] = now_ms,
    ) -> None:
        self._store = store
        self._following = following
        self._window_ms = int(window_s * 1000)
        self._clock = clock
        self._held: deque[_Held] = deque()

    async def _watched(self, announcement: Announcement) -> bool:
        channels = (announcement.channel_id, announcement.parent_id)
        for channel_id in channels:
            if channel_id is not None and await self._store.is_autotag_channel(
                announcement.guild_id, channel_id
            ):
                return True
        return False

    async def on_announcement(
        self,
        announcement: Announcement,
        *,
        started_late: Callable[[], Awaitable[None]] | None = None,
    ) -> list[SessionRecord]:
        """Sessions started for a message in a watched channel, or in a thread or forum post
        under one; none elsewhere. An edited message comes here again: a stream it linked
        before is still claimed, so only a stream new to it (or to the window) starts.

        Raises StoreUnavailable when the store could not take it; it is then held and tried
        again by ``run``, which calls ``started_late`` (the Discord side's reaction) if that
        starts sessions."""
        held = _Held(announcement, self._clock(), started_late=started_late)
        try:
            return await self._tag(held)
        except StoreUnavailable:
            self._hold(held)
            raise

    async def _tag(self, held: _Held) -> list[SessionRecord]:
        announcement = held.announcement
        if not await self._watched(announcement):
            return []
        settings = await self._store.guild_settings(announcement.guild_id)
        started = []
        for url in announcement.stream_urls():
            canonical = canonical_stream_url(url)
            if canonical in held.done:
                continue
            shown = announcement.shown(url)
            # Without a seed of the server's own, the announcement's title and game tell
            # Chatsight what the stream was announced as.
            seed = settings.seed or announced_seed(shown)
            origin = announcement.origin(announcement.author_id, seed)
            claim = held.claims.get(canonical)
            if claim is None:
                if await self._followed_already(
                    announcement.guild_id, canonical, announcement.message_id
                ):
                    log.info(
                        "announcement %s starts nothing: its stream is followed already",
                        announcement.message_id,
                    )
                    metrics.ANNOUNCED_STREAMS.labels("followed").inc()
                    held.done.add(canonical)
                    continue
                claim = await self._claim(
                    announcement.guild_id, canonical, announcement.message_id
                ) or await self._unfinished_claim(announcement, canonical)
            if claim is None:
                metrics.ANNOUNCED_STREAMS.labels("recent").inc()
                continue
            held.claims[canonical] = claim
            trigger = Trigger(announcement.message_id, announced_position(canonical), claim)
            try:
                session = await self._follow(url, origin, trigger, shown)
            except StreamRefusal as refusal:
                log.info("announcement %s starts nothing: %r", announcement.message_id, refusal)
                outcome = "no_stream"
            except FollowNotSampled as error:
                log.warning(
                    "announcement %s: stream followed, its first sample later: %s",
                    announcement.message_id,
                    error,
                )
                outcome = "sample_later"
            else:
                if session is not None:  # else it waits for a free slot (admission.py)
                    started.append(session)
                outcome = "waiting" if session is None else "started"
            held.done.add(canonical)
            metrics.ANNOUNCED_STREAMS.labels(outcome).inc()
        return started

    async def _claim(self, guild_id: int, canonical: str, claimed_by: int) -> int | None:
        """The stream's claim for this window (its round), unless another holds it."""
        return await self._store.claim_stream(
            guild_id, canonical, self._clock(), self._window_ms, claimed_by=claimed_by
        )

    async def _followed_already(self, guild_id: int, canonical: str, asker: int) -> bool:
        """An active follow of the stream in this server, started by another message or
        interaction than ``asker``: a notifier announcing it again past the dedupe window
        ("still live") would otherwise have it sampled twice over, at twice the cost, on two
        timelines. Asked before claiming, so a message turned away holds no claim that an edit
        or a rescan could take for an unfinished one."""
        follows = await self._store.guild_follows(guild_id)
        return follow_of_stream(follows, canonical, besides=asker) is not None

    async def _unfinished_claim(self, announcement: Announcement, canonical: str) -> int | None:
        """The round of this message's own claim of the stream when its follow was never
        stored: a try that failed after claiming (or whose claim's answer was lost), perhaps in
        a process that has stopped since, so a retry or a catch-up finishes it. None when
        another message holds the stream, or this one's follow exists (an edit, a rescan)."""
        claim = await self._store.held_claim(
            announcement.guild_id, canonical, announcement.message_id
        )
        if claim is None:
            return None
        trigger = Trigger(announcement.message_id, announced_position(canonical), claim)
        if await self._store.follow_of_trigger(announcement.channel_id, trigger) is not None:
            return None
        return claim

    async def catch_up_since(self, guild_id: int) -> dict[int, int]:
        """Each watched channel of the server, and the time (ms) from which its messages are
        scanned again when the bot (re)connects: announcements posted while it was away.

        No further back than the dedupe window: a stream announced within it and tagged then is
        still claimed, so a second scan starts nothing; older, it would be tagged again. Nor
        from before the channel was watched, whose messages were never meant to be tagged."""
        earliest = self._clock() - self._window_ms
        watched = await self._store.watched_since(guild_id)
        return {channel: max(added, earliest) for channel, added in watched.items()}

    def _hold(self, held: _Held) -> None:
        if len(self._held) >= MAX_HELD:
            dropped = self._held.popleft()
            log.warning(
                "announcement %s not auto-tagged: %d others are waiting for the database",
                dropped.announcement.message_id,
                MAX_HELD,
            )
        self._held.append(held)

    async def retry_held(self) -> int:
        """Tries the held announcements in the order they came, until the store fails again;
        how many it settled."""
        settled = 0
        while self._held:
            held = self._held[0]
            message_id = held.announcement.message_id
            if self._clock() - held.since_ms > HELD_FOR_MS:
                log.warning("announcement %s not auto-tagged: the database was away", message_id)
            else:
                try:
                    started = await self._tag(held)
                except StoreUnavailable:
                    return settled
                except ChatsightBotError as error:
                    log.warning(
                        "auto-tagging message %s failed: %s", message_id, error.user_message
                    )
                else:
                    log.info("announcement %s tagged late: %d started", message_id, len(started))
                    if started and held.started_late is not None:
                        await held.started_late()
            self._held.popleft()
            settled += 1
        return settled

    async def run(self) -> None:
        """Held announcements, tried again every HELD_RETRY_S while there are any."""
        while True:
            await asyncio.sleep(HELD_RETRY_S)
            await self.retry_held()

    async def on_demand(
        self, announcement: Announcement, user_id: int, interaction_id: int
    ) -> OnDemand:
        """The "Tag stream" menu: any message, asked for by ``user_id``, under the same dedupe
        window as announcements (a stream tagged in it is not tagged again).

        Links with no stream are skipped; when none had one, the first refusal is raised, so
        the member learns why nothing started.
        """
        settings = await self._store.guild_settings(announcement.guild_id)
        origin = announcement.origin(user_id, settings.seed)
        outcome = OnDemand()
        refusals: list[StreamRefusal] = []
        for position, url in enumerate(announcement.stream_urls()):
            canonical = canonical_stream_url(url)
            if await self._followed_already(announcement.guild_id, canonical, interaction_id):
                outcome.recent += 1
                continue
            claim = await self._claim(announcement.guild_id, canonical, interaction_id)
            if claim is None:
                outcome.recent += 1
                continue
            trigger = Trigger(interaction_id, position)
            try:
                session = await self._follow(url, origin, trigger, announcement.shown(url))
            except StreamRefusal as refusal:
                refusals.append(refusal)
                continue
            if session is None:
                outcome.waiting += 1
            else:
                outcome.started.append(session)
        if refusals and not (outcome.started or outcome.waiting or outcome.recent):
            raise refusals[0]
        return outcome

    async def _follow(
        self, url: str, origin: Origin, trigger: Trigger, shown: StreamDetails
    ) -> SessionRecord | None:
        return await self._following.start(
            FollowRequest(url, SessionSource.AUTOTAG, origin, trigger, shown)
        )
