"""How a failed post counts: never again when permanent, else again after a jittered backoff.

Failure policy (docs/discord-notes.md): 403 and 404 are permanent (the channel is gone or we lost
access) and never retried, since repeated invalid requests get the bot's address banned; 5xx and
network errors are retried with backoff, a 429's retry time respected, up to a bound, so nothing
is retried forever.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass


class DeliveryFailed(Exception):
    """Raised by a sink. Permanent failures (channel gone, access lost) are never retried."""

    def __init__(self, reason: str, *, permanent: bool, retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after_s = retry_after_s


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    clock: Callable[[], int]
    backoff_base_ms: int = 1_000
    backoff_cap_ms: int = 300_000
    max_attempts: int = 12

    def retry_at(self, attempts: int, failure: DeliveryFailed) -> int | None:
        """When to try again after ``attempts`` failed, with jittered backoff; None: never."""
        if failure.permanent or attempts >= self.max_attempts:
            return None
        delay_ms = min(self.backoff_cap_ms, self.backoff_base_ms * 2 ** (attempts - 1))
        delay_ms = int(delay_ms * random.uniform(0.5, 1.0))
        if failure.retry_after_s is not None:
            delay_ms = max(delay_ms, int(failure.retry_after_s * 1000))
        return self.clock() + delay_ms
