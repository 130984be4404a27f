"""Each channel's message buckets, as the bot spends them: evenly, and as Discord says is left.

Discord lets a bot send about 5 messages per 5 seconds into one channel, and edit about as many
(docs/discord-notes.md, Rate limits), in windows that start with a request and reset some seconds
later. Every answer on those routes says what is left (``X-RateLimit-Limit``, ``-Remaining``,
``-Reset-After``); ``http_trace.py`` hands them here, so what is kept follows Discord's count,
even when another process spent from the same channel. Until a channel has answered, the limit
and window last learned on that route (any channel) stand in, and before anything was learned,
Discord's published 5 per 5 s.

The requests left in a window are spread evenly over the time left in it instead of spent at
once. Spent at once, a burst would use a channel's five in its first second and leave every later
result waiting for the reset, up to five seconds; spread, the next message waits at most a fifth
of the window, and whatever arrives meanwhile goes out with it (packing, result_sink.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import time
from collections.abc import Callable
from dataclasses import dataclass

DISCORD_LIMIT = 5
DISCORD_WINDOW_S = 5.0
# Windows reset this long ago are forgotten once this many channels are kept.
KEEP_AT_MOST = 4096
FORGET_AFTER_S = 60.0


class MessageBucket(enum.StrEnum):
    """The per-channel routes the bot posts through, each its own bucket on Discord."""

    CREATE = "create"  # POST /channels/{channel}/messages
    EDIT = "edit"  # PATCH /channels/{channel}/messages/{message}


BucketKey = tuple[int, MessageBucket]


@dataclass
class _Window:
    limit: int
    length_s: float
    remaining: int = 0
    reset_at: float = 0.0
    next_at: float = 0.0

    def ready_at(self, now: float) -> float:
        if now >= self.reset_at:
            return now  # a new window starts with this request
        if self.remaining <= 0:
            return self.reset_at
        return max(now, self.next_at)

    def spend(self, now: float) -> None:
        if now >= self.reset_at:
            self.remaining, self.reset_at = self.limit, now + self.length_s
        self.remaining -= 1
        self._spread(now)

    def correct(self, now: float, limit: int, remaining: int, reset_after_s: float) -> None:
        self.limit, self.remaining, self.reset_at = limit, remaining, now + reset_after_s
        if remaining == limit - 1:
            self.length_s = reset_after_s  # the first request of a window shows its length
        self._spread(now)

    def _spread(self, now: float) -> None:
        if self.remaining <= 0:
            self.next_at = self.reset_at
        else:
            self.next_at = now + (self.reset_at - now) / (self.remaining + 1)


class ChannelBuckets:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._windows: dict[BucketKey, _Window] = {}
        self._learned = {bucket: (DISCORD_LIMIT, DISCORD_WINDOW_S) for bucket in MessageBucket}
        self._corrected: dict[BucketKey, asyncio.Event] = {}  # for the channels waited on

    def _window(self, key: BucketKey) -> _Window:
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = _Window(*self._learned[key[1]])
        return window

    def ready_at(self, key: BucketKey) -> float:
        return self._window(key).ready_at(self._clock())

    async def wait_ready(self, key: BucketKey) -> None:
        """Until the next request fits the channel's spread; re-reckoned whenever Discord's
        answers correct the bucket meanwhile. One waiter a bucket (pacing.py takes turns)."""
        while (wait := self.ready_at(key) - self._clock()) > 0:
            corrected = self._corrected.setdefault(key, asyncio.Event())
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await corrected.wait()
        self._corrected.pop(key, None)

    def spend(self, key: BucketKey) -> None:
        now = self._clock()
        self._window(key).spend(now)
        if len(self._windows) > KEEP_AT_MOST:
            stale = [k for k, w in self._windows.items() if w.reset_at < now - FORGET_AFTER_S]
            for stale_key in stale:
                del self._windows[stale_key]

    def correct(self, key: BucketKey, limit: int, remaining: int, reset_after_s: float) -> None:
        """What Discord's answer on this channel's route says is left."""
        window = self._window(key)
        window.correct(self._clock(), limit, remaining, reset_after_s)
        self._learned[key[1]] = (window.limit, window.length_s)
        corrected = self._corrected.pop(key, None)
        if corrected is not None:
            corrected.set()
