"""Gateway identify slots in PostgreSQL: one upsert per reservation, spaced across processes."""

from __future__ import annotations

from bot.store.postgres.tables import Tables

# A concurrent reservation in the bucket waits for the row lock, then builds on this one's slot.
# The new next_at is max(next_at, now) + spacing, so subtracting the spacing again gives the slot
# this reservation takes (SQLite writes GREATEST as MAX: sqlite/gateway.py).
RESERVE_IDENTIFY = (
    "INSERT INTO identify_slots (bucket, next_at) VALUES ($1, $2::bigint + $3::bigint)"
    " ON CONFLICT (bucket) DO UPDATE SET next_at = GREATEST(identify_slots.next_at, $2) + $3"
    " RETURNING next_at - $3"
)


class GatewayTables(Tables):
    async def reserve_identify(self, bucket: int, now_ms: int, spacing_ms: int) -> int:
        slot = await self._fetch_int(RESERVE_IDENTIFY, bucket, now_ms, spacing_ms)
        assert slot is not None
        return slot
