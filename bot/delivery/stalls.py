"""StalledPosts: tells the operator about a post that outlives a lease, and where it waits.

A post that never finishes holds its rows in the worker's hands (their leases renewed,
leases.py), so the worker claims less and less. Nothing fails, so nothing is logged: the outbox
only grows. One warning per such post names its channels, how long it has
run and the coroutine it is suspended in, which is what finding the cause needs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Post:
    channels: Sequence[int | None]
    started_s: float
    reported: bool = False


class StalledPosts:
    def __init__(self, after_s: float, clock: Callable[[], float]) -> None:
        self._after_s = after_s
        self._clock = clock
        self._posts: dict[asyncio.Task[None], _Post] = {}

    def started(self, task: asyncio.Task[None], channels: Sequence[int | None]) -> None:
        self._posts[task] = _Post(channels, self._clock())
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        post = self._posts.pop(task, None)
        if post is not None and post.reported and not task.cancelled():
            log.warning("a stalled post finished after %.1f s", self._clock() - post.started_s)

    def report(self) -> None:
        """Warns once for each post running longer than ``after_s``."""
        now = self._clock()
        for task, post in self._posts.items():
            if post.reported or now - post.started_s < self._after_s:
                continue
            post.reported = True
            channels = sorted({c for c in post.channels if c is not None})
            log.warning(
                "a post of %d outbox rows (channels %s) has run %.1f s, longer than a lease;"
                " suspended in %s",
                len(post.channels),
                ", ".join(map(str, channels)) or "none",
                now - post.started_s,
                suspended_in(task),
            )


def suspended_in(task: asyncio.Task[None]) -> str:
    """The chain of coroutines the task is suspended in, outermost first, as ``name:line``."""
    chain = []
    awaited: object = task.get_coro()
    while awaited is not None:
        frame = getattr(awaited, "cr_frame", None) or getattr(awaited, "gi_frame", None)
        if frame is None:
            break
        chain.append(f"{frame.f_code.co_qualname}:{frame.f_lineno}")
        awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "gi_yieldfrom", None)
    return " > ".join(chain) or "an unknown place"
