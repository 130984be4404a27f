"""BlockingThread: one thread that runs blocking calls in order and answers each on a loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import queue
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


class BlockingThread:
    """Runs blocking calls one at a time, in order, and answers each on its caller's loop.

    A bare thread and queue rather than a ThreadPoolExecutor: every commit crosses to this thread
    and back, and the executor's concurrent future, its chaining to an asyncio future and its
    locks made that crossing cost about twice as much (callgrind: ~190k against ~100k
    instructions per commit).
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, name: str, *, nice: int = 0) -> None:
        """``nice`` above 0: background work that yields its core to the event loop's thread
        (Linux schedules each thread by its own nice value)."""
        self._event_loop = loop
        self._nice = nice
        self._calls: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def call(self, fn: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        future = self._event_loop.create_future()
        self._calls.put((future, fn, args))
        return future

    def stop(self) -> None:
        self._calls.put(None)
        self._thread.join()

    def _run(self) -> None:
        if self._nice:
            try:
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), self._nice)
            except (AttributeError, OSError) as refused:  # not Linux, or not allowed
                log.info("%s runs at the loop's priority: %s", self._thread.name, refused)
        while (call := self._calls.get()) is not None:
            future, fn, args = call
            result, error = None, None
            try:
                result = fn(*args)
            except BaseException as caught:  # handed to the caller, as an executor would
                error = caught
            # RuntimeError: the loop closed without stopping this thread, so nobody is waiting.
            with contextlib.suppress(RuntimeError):
                self._event_loop.call_soon_threadsafe(_settle, future, result, error)


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
