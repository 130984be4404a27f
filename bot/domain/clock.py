"""Wall-clock milliseconds: the one time unit stored, compared and sent to Chatsight."""

from __future__ import annotations

import time
from collections.abc import Callable


def now_ms() -> int:
    return time.time_ns() // 1_000_000


Clock = Callable[[], int]
"""What a service reads the time from: ``now_ms``, except in tests that move a clock ahead to a
time of the week (the weekly digest's hour) rather than wait for it."""
