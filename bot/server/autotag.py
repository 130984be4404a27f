"""Auto-tagging: stream URLs announced in watched channels start followed sessions.

Stream notifiers are usually bots or webhooks, so every author counts; the same stream in the
same server is tagged once per window, however its URL is spelled (its canonical form is
claimed, atomically in the store, so two copies of one announcement arriving together cannot
both start a session). A link to a stream that is offline, or to no stream, starts nothing; the
message's other links still count.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.domain.announced import announced_seed
from bot.domain.clock import now_ms
from bot.domain.convo_ids import Trigger, announced_position
from bot.domain.records import Origin, SessionRecord, SessionSource
from bot.domain.stream_details import NO_DETAILS, StreamDetails
from bot.domain.stream_refusals import StreamRefusal
from bot.domain.stream_urls import canonical_stream_url, find_stream_urls
from bot.server.following import Following, FollowRequest
from bot.store.interface import AdmissionStore, ServerSettingsStore

log = logging.getLogger(__name__)

MAX_URLS_PER_MESSAGE = 5


class AutoTagStore(ServerSettingsStore, AdmissionStore, Protocol):
    """Watched channels and settings, and the dedupe window's claims."""


@dataclass(frozen=True, slots=True)
class Announcement:
    """A message as posted or as edited since. ``parent_id``: the channel a thread is in (a
    forum's, for a forum post); a thread counts as watched when its channel is."""

    guild_id: int
    channel_id: int
    message_id: int
    author_id: int
    content: str
    embed_urls: Sequence[str] = ()
    parent_id: int | None = None
    # Each embed's link and what it shows of that stream (a notifier's author, title and
    # picture, or Discord's link preview): the result shows it too.
    previews: Sequence[tuple[str, StreamDetails]] = ()

    def stream_urls(self) -> list[str]:
        return find_stream_urls("\n".join([self.content, *self.embed_urls]))[:MAX_URLS_PER_MESSAGE]

    def shown(self, url: str) -> StreamDetails:
        """What an embed of this message shows of the stream at ``url``, however either spells
        it."""
        canonical = canonical_stream_url(url)
        for link, details in self.previews:
            if details and canonical_stream_url(link) == canonical:
                return details
        return NO_DETAILS

    def origin(self, requester_id: int, seed: str | None) -> Origin:
        """Results reply to the announcement, on behalf of whoever asked for them."""
        return Origin(self.guild_id, self.channel_id, requester_id, self.message_id, seed)


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

    async def _watched(self, announcement: Announcement) -> bool:
        channels = (announcement.channel_id, announcement.parent_id)
        for channel_id in channels:
            if channel_id is not None and await self._store.is_autotag_channel(
                announcement.guild_id, channel_id
            ):
                return True
        return False

    async def on_announcement(self, announcement: Announcement) -> list[SessionRecord]:
        """Sessions started for a message in a watched channel, or in a thread or forum post
        under one; none elsewhere. An edited message comes here again: a stream it linked
        before is still claimed, so only a stream new to it (or to the window) starts."""
        if not await self._watched(announcement):
            return []
        settings = await self._store.guild_settings(announcement.guild_id)
        started = []
        for url in announcement.stream_urls():
            shown = announcement.shown(url)
            # Without a seed of the server's own, the announcement's title and game tell
            # Chatsight what the stream was announced as.
            seed = settings.seed or announced_seed(shown)
            origin = announcement.origin(announcement.author_id, seed)
            canonical = canonical_stream_url(url)
            claim = await self._store.claim_stream(
                announcement.guild_id, canonical, self._clock(), self._window_ms
            )
            if claim is None:
                continue
            trigger = Trigger(announcement.message_id, announced_position(canonical), claim)
            try:
                session = await self._follow(url, origin, trigger, shown)
            except StreamRefusal as refusal:
                log.info("announcement %s starts nothing: %r", announcement.message_id, refusal)
                continue
            if session is not None:  # else it waits for a free slot (admission.py)
                started.append(session)
        return started

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
            claim = await self._store.claim_stream(
                announcement.guild_id, canonical_stream_url(url), self._clock(), self._window_ms
            )
            if claim is None:
                outcome.recent += 1
                continue
            try:
                trigger = Trigger(interaction_id, position)
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
