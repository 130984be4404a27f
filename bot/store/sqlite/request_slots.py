"""The request budget in SQLite: kept in memory, since SQLite serves one process only.

A second process on the same file is refused at start (lock.py), so this process spends the whole
budget and nobody else needs to see its schedule; nothing about it needs to outlive the process
either, as Discord's windows are a second long.
"""

from __future__ import annotations

import time

from bot.domain.request_slots import RequestSlot, SlotSchedule


class RequestSlotTables:
    _request_slots: SlotSchedule

    async def reserve_request_slot(self, interval_ms: int, hold_ms: int = 0) -> RequestSlot:
        return self._request_slots.reserve(time.monotonic_ns() // 1_000_000, interval_ms, hold_ms)
