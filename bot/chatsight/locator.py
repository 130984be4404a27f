"""Which URL Chatsight gets for the stream URL someone gave: the one path every session takes.

``/tag``, auto-tagging, "Tag stream" and every sample of a followed stream start their sessions
through ``TaggingService.start``, which asks this, so a page is resolved afresh each time (its
media URLs are signed and expire) and every path refuses the same links.
"""

from __future__ import annotations

from bot.chatsight.stream_pages import ResolvedPage, StreamPages
from bot.chatsight.stream_prep import StreamPreparer
from bot.domain.stream_details import NO_DETAILS
from bot.domain.stream_urls import names_a_playlist, names_media


class StreamLocator:
    def __init__(self, preparer: StreamPreparer, pages: StreamPages) -> None:
        self._preparer = preparer
        self._pages = pages

    async def locate(self, url: str) -> ResolvedPage:
        """The media URL to send, with what its page told of the stream (media tells nothing);
        a stream refusal (``bot/domain/stream_refusals.py``) if there is none.

        Media by its path or scheme is sent as it is, an HLS playlist as its ≤360p rendition
        through our guarded fetch; anything else is a page for a platform plugin.
        """
        if names_a_playlist(url):
            return ResolvedPage((await self._preparer.prepare(url)).url, NO_DETAILS)
        if names_media(url):
            return ResolvedPage(url, NO_DETAILS)
        return await self._pages.resolve(url)
