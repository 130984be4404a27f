"""Chatsight's published tag list (docs/chatsight-api.md §2, §12.11), which alert tags are
suggested from.

The list changes rarely and its host is not Chatsight's API, so it is fetched when first wanted
and kept for an hour; a failed fetch is tried again after a minute, and meanwhile the last list
(or none) serves. A caller waits for a fetch only briefly: an autocomplete must answer within
Discord's 3 s (docs/discord-notes.md), whatever the list's host does; the fetch goes on and the
next keystroke finds its list.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

MAX_BYTES = 1 << 20


def parse_tag_list(document: Any) -> tuple[str, ...]:
    """The tag names in the list, in its order, each once; its shape is unknown, so an array of
    names, or an object whose ``tags`` is one, entries being names or objects with a ``name`` or
    ``tag``. Anything else holds no tags."""
    entries = document.get("tags") if isinstance(document, dict) else document
    if not isinstance(entries, list):
        return ()
    names: dict[str, None] = {}
    for entry in entries:
        if isinstance(entry, dict):
            entry = entry.get("name", entry.get("tag"))
        if isinstance(entry, str) and entry.strip():
            names.setdefault(entry.strip(), None)
    return tuple(names)


class PublishedTags:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        url: str,
        *,
        max_age_s: float = 3600.0,
        retry_after_s: float = 60.0,
        fetch_timeout_s: float = 10.0,
        wait_s: float = 1.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._url = url
        self._max_age_s = max_age_s
        self._retry_after_s = retry_after_s
        self._timeout = aiohttp.ClientTimeout(total=fetch_timeout_s)
        self._wait_s = wait_s
        self._clock = clock
        self._tags: tuple[str, ...] = ()
        self._fetched_at: float | None = None
        self._failed_at: float | None = None
        self._fetching: asyncio.Task[None] | None = None

    async def tags(self) -> tuple[str, ...]:
        """The list as last fetched (empty until a fetch succeeds), after waiting at most
        ``wait_s`` for a fetch when the list is due for one."""
        if self._due() and (self._fetching is None or self._fetching.done()):
            self._fetching = asyncio.create_task(self._refresh(), name="chatsight-tag-list")
        if self._fetching is not None and not self._fetching.done():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._wait_s):
                    await asyncio.shield(self._fetching)
        return self._tags

    def _due(self) -> bool:
        now = self._clock()
        if self._failed_at is not None and now - self._failed_at < self._retry_after_s:
            return False
        return self._fetched_at is None or now - self._fetched_at >= self._max_age_s

    async def _refresh(self) -> None:
        try:
            async with self._http.get(self._url, timeout=self._timeout) as answer:
                answer.raise_for_status()
                body = await answer.content.read(MAX_BYTES + 1)
            if len(body) > MAX_BYTES:
                raise ValueError(f"over {MAX_BYTES} bytes")
            tags = parse_tag_list(json.loads(body))
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            self._failed_at = self._clock()
            log.warning("Chatsight's tag list at %s could not be read: %s", self._url, error)
            return
        self._tags, self._fetched_at, self._failed_at = tags, self._clock(), None
        log.info("Chatsight's tag list read: %d tags", len(tags))

    async def close(self) -> None:
        """Stop a fetch under way, before the HTTP session it uses is closed."""
        if self._fetching is not None:
            self._fetching.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._fetching
