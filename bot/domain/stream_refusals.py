"""Why a stream URL yields nothing to send Chatsight: refusals of the stream, not of the member.

Raised while a session starts (``bot/chatsight/stream_pages.py`` finds the media behind a page),
so Chatsight is never called for them. Each names the link's host; the member's words for them
are in ``bot/rendering/refusals.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.refusals import Refusal


class StreamRefusal(Refusal):
    """Any of these: what ends a session, or a follow, before Chatsight is asked."""


@dataclass(eq=False)
class StreamNotLive(StreamRefusal):
    """The site knows the page but offers no stream: offline, or no such channel (sites answer
    both the same way)."""

    host: str


@dataclass(eq=False)
class NotAStreamLink(StreamRefusal):
    """No supported site has such pages, and the link is not media by its scheme or path."""

    host: str


@dataclass(eq=False)
class NeedsWebBrowser(StreamRefusal):
    """The site gives its streams only to a web browser, which the bot does not run."""

    host: str


@dataclass(eq=False)
class StreamPageFailed(StreamRefusal):
    """The site failed or was too slow to answer; a later attempt may succeed."""

    host: str
