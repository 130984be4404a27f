"""RefusalLog: the operator's log lines for refused webhooks, one per kind per window.

The webhook URL is public, so a line for every refused request would let anyone write the
operator's log at the rate they can send, and fill a disk the database shares. The first
refusal of a kind (its level and status) is logged at once; the rest in the same window are
counted and the count rides on the next line of that kind. The metrics count every refusal
(``chatsight_webhooks_total``), so nothing is lost to the operator but the repeated text.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

WINDOW_S = 60.0


class RefusalLog:
    def __init__(
        self,
        log: logging.Logger,
        *,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._log = log
        self._window_s = window_s
        self._clock = clock
        # By (level, status): when its last line was written, and how many came since.
        self._kinds: dict[tuple[int, int], tuple[float, int]] = {}

    def refused(self, level: int, what: str, status: int, reason: str) -> None:
        """``what (status): reason``, or only counted when a line of its kind is recent."""
        now = self._clock()
        key = (level, status)
        last = self._kinds.get(key)
        if last is not None and now - last[0] < self._window_s:
            self._kinds[key] = (last[0], last[1] + 1)
            return
        self._kinds[key] = (now, 0)
        unlogged = last[1] if last is not None else 0
        if unlogged:
            self._log.log(
                level,
                "%s (%d): %s (and %d more with this status since the last such line)",
                what,
                status,
                reason,
                unlogged,
            )
        else:
            self._log.log(level, "%s (%d): %s", what, status, reason)
