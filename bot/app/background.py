"""Long-running tasks with a kept reference and a logged failure.

A bare ``asyncio.create_task`` can be garbage-collected mid-flight and its exception is only
reported when the task is destroyed; both would silently stop delivery or polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from bot.store.base import StoreUnavailable

log = logging.getLogger(__name__)

# A loop that fails is restarted after 0.5 s, then 1, 2, … up to 30 s while it keeps failing
# (the database is down, say), and from 0.5 s again once it has run for a minute.
RESTART_FIRST_S = 0.5
RESTART_MAX_S = 30.0
HEALTHY_AFTER_S = 60.0


class BackgroundTasks:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def keep_running(
        self, loop: Callable[[], Coroutine[Any, Any, Any]], name: str
    ) -> asyncio.Task[Any]:
        """Run ``loop`` until stopped, restarting it whenever it fails, so delivery, polling and
        sampling come back by themselves once the database answers again."""
        return self.spawn(_restarting(loop, name), name)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())

    async def stop(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def _restarting(loop: Callable[[], Coroutine[Any, Any, Any]], name: str) -> None:
    delay = RESTART_FIRST_S
    clock = asyncio.get_running_loop().time
    while True:
        started = clock()
        try:
            await loop()
            return
        except StoreUnavailable as error:
            log.warning("%s stopped: the database is unavailable (%s)", name, error)
        except Exception:
            log.exception("%s failed", name)
        if clock() - started >= HEALTHY_AFTER_S:
            delay = RESTART_FIRST_S
        log.info("restarting %s in %.1f s", name, delay)
        await asyncio.sleep(delay)
        delay = min(delay * 2, RESTART_MAX_S)
