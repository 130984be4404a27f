"""The stand-in streaming site the tests' stream URLs name: ``streams.example``, ``s.test``...

Any host under the names reserved for examples and tests (RFC 2606: ``.example``, ``.test``,
``example.com``). The Chatsight simulator reads its tags from these URLs, so each page is its
own stream, handed on exactly as written (``tags=Fun%7CFun``, ``@everyone`` and all). Loaded by
every test world (``tests/core_harness.py``), so each test session goes through stream-page
resolution as a real one does, without a request.
"""

from __future__ import annotations

import re

from streamlink.plugin import Plugin, pluginmatcher
from streamlink.session.session import Streamlink
from streamlink.stream.stream import Stream


class AsWritten(Stream):
    """A stream whose URL is the page's own, untouched (streamlink's HTTP stream re-quotes it)."""

    def __init__(self, session: Streamlink, url: str) -> None:
        super().__init__(session)
        self.url = url

    def to_url(self) -> str:
        return self.url


@pluginmatcher(
    re.compile(r"https?://(?:[\w-]+\.)*(?:example|test|example\.com)(?::\d+)?(?:[/?#]|$)")
)
class ReservedHosts(Plugin):
    def _get_streams(self) -> dict[str, Stream]:
        return {"live": AsWritten(self.session, self.url)}


__plugin__ = ReservedHosts
