"""Gateway identify slots in SQLite: one upsert per reservation, in the writer."""

from __future__ import annotations

import sqlite3

from bot.store.sqlite.tables import Tables

# The new next_at is max(next_at, now) + spacing, so subtracting the spacing again gives the
# slot this reservation takes (PostgreSQL writes MAX as GREATEST: postgres/gateway.py).
RESERVE_IDENTIFY = (
    "INSERT INTO identify_slots (bucket, next_at) VALUES (?, ?)"
    " ON CONFLICT (bucket) DO UPDATE SET next_at = MAX(identify_slots.next_at, ?) + ?"
    " RETURNING next_at - ?"
)


class GatewayTables(Tables):
    async def reserve_identify(self, bucket: int, now_ms: int, spacing_ms: int) -> int:
        def write(db: sqlite3.Connection) -> int:
            params = (bucket, now_ms + spacing_ms, now_ms, spacing_ms, spacing_ms)
            (slot,) = db.execute(RESERVE_IDENTIFY, params).fetchone()
            return int(slot)

        return await self._write(write)
