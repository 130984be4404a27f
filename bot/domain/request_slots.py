"""Request slots: a budget of requests per second spent in order, one slot at a time.

Slots are handed out at least an interval apart and never before now, with no burst: whatever
the window a server counts its limit in, no window of one second then holds more than one
second's worth of slots (docs/discord-notes.md, Rate limits). The store keeps the schedule, so
every process sharing a database draws from one budget (bot/store/interface/).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RequestSlot:
    """When a request may go, and the time it was reserved, both by the same clock: the caller
    waits ``at_ms - now_ms``, whatever its own clock says."""

    at_ms: int
    now_ms: int

    @property
    def wait_ms(self) -> int:
        return max(0, self.at_ms - self.now_ms)


class SlotSchedule:
    """The next free slot; one process's own copy of what the database keeps for several."""

    def __init__(self) -> None:
        self._next_at_ms = 0

    def reserve(self, now_ms: int, interval_ms: int, hold_ms: int = 0) -> RequestSlot:
        """The first slot at or after ``now_ms + hold_ms`` that is free; the next one is then
        ``interval_ms`` later."""
        at_ms = max(self._next_at_ms, now_ms + hold_ms)
        self._next_at_ms = at_ms + interval_ms
        return RequestSlot(at_ms, now_ms)
