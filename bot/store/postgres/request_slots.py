"""The request budget in PostgreSQL: one schedule for every process, by the server's clock."""

from __future__ import annotations

from bot.domain.request_slots import RequestSlot
from bot.store.postgres.tables import Tables

# The server's clock, the same for every process, read when the row is locked and again when the
# slot is returned: not the statement's start, since a reservation that waited for the row lock
# behind a burst of others would count that wait twice, once in the database and once again
# after the answer, and its request would go late, into the next second's share (a global 429).
_NOW_MS = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"
BUDGET = "discord"
# next_at = max(next_at, now + hold) + interval; subtracting the interval again gives the slot
# this reservation takes (as bot/domain/request_slots.py does in memory). A concurrent
# reservation waits for the row lock, then builds on this one's slot.
RESERVE = (
    f"INSERT INTO request_slots (budget, next_at) VALUES ($1, {_NOW_MS} + $3::bigint"
    " + $2::bigint) ON CONFLICT (budget) DO UPDATE SET next_at = GREATEST(request_slots.next_at,"
    f" {_NOW_MS} + $3::bigint) + $2::bigint RETURNING next_at - $2::bigint, {_NOW_MS}"
)


class RequestSlotTables(Tables):
    async def reserve_request_slot(self, interval_ms: int, hold_ms: int = 0) -> RequestSlot:
        row = await self._fetch_one(RESERVE, BUDGET, interval_ms, hold_ms)
        assert row is not None
        return RequestSlot(int(row[0]), int(row[1]))
