"""An announcement: a message of a watched channel, as auto-tagging reads it.

Only its data (no Discord objects): the cog builds it from a message, so the rules that read it
(which links count, what an embed shows of a stream, whom results reply to) are testable alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.records import Origin
from bot.domain.stream_details import NO_DETAILS, StreamDetails
from bot.domain.stream_urls import canonical_stream_url, find_stream_urls

MAX_URLS_PER_MESSAGE = 5


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
