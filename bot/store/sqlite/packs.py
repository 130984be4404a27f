"""Delivery packs in SQLite: outbox rows recorded as one message, then leased and settled as one."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Sequence

from bot.domain.records import Delivery, DeliveryPack
from bot.store.rows import DELIVERY_COLUMNS, PACK_COLUMNS, delivery_from_row, pack_from_row
from bot.store.sqlite.tables import Tables, marks
from bot.store.statements import (
    DROP_PACK,
    MARK_PACK_DELIVERED,
    MARK_PACK_RETRY,
    MARK_PACK_UNDELIVERABLE,
    MARK_PACKED_DELIVERED,
    MARK_PACKED_UNDELIVERABLE,
    NEW_PACK,
    NOTE_PACKED_ERROR,
    PACK_ROWS,
    PENDING,
)

# A row joins only while the claim that handed it out still holds it
# (bot/store/interface/delivery.py).
JOIN_PACK = (
    "UPDATE deliveries SET pack_id = ? WHERE id = ? AND attempts = ? AND pack_id IS NULL"
    f" AND {PENDING}"
)
DUE_PACKS = (
    f"SELECT {PACK_COLUMNS} FROM delivery_packs WHERE {PENDING} AND next_attempt_at <= ?"
    " AND lease_until <= ? ORDER BY next_attempt_at, id LIMIT ?"
)


class PackTables(Tables):
    async def record_pack(
        self, channel_id: int, rows: Sequence[Delivery], now_ms: int, lease_ms: int
    ) -> DeliveryPack | None:
        def write(db: sqlite3.Connection) -> DeliveryPack | None:
            values = (channel_id, now_ms, now_ms + lease_ms, now_ms)
            (pack_id,) = db.execute(NEW_PACK, values).fetchone()
            joined = sum(
                db.execute(JOIN_PACK, (pack_id, row.id, row.claim)).rowcount for row in rows
            )
            if not joined:
                db.execute(DROP_PACK, (pack_id,))
                return None
            members = [delivery_from_row(row) for row in db.execute(PACK_ROWS, (pack_id,))]
            return DeliveryPack(pack_id, channel_id, tuple(members), 0, now_ms)

        return await self._write(write)

    async def claim_due_packs(self, now_ms: int, lease_ms: int, limit: int) -> list[DeliveryPack]:
        def write(db: sqlite3.Connection) -> list[DeliveryPack]:
            packs = db.execute(DUE_PACKS, (now_ms, now_ms, limit)).fetchall()
            ids = [pack[0] for pack in packs]
            db.executemany(
                "UPDATE delivery_packs SET lease_until = ?, attempts = attempts + 1 WHERE id = ?",
                [(now_ms + lease_ms, pack_id) for pack_id in ids],
            )
            members: dict[int, list[Delivery]] = {pack_id: [] for pack_id in ids}
            for row in db.execute(
                f"SELECT {DELIVERY_COLUMNS}, pack_id FROM deliveries"
                f" WHERE pack_id IN ({marks(ids)}) ORDER BY id",
                ids,
            ):
                members[row[-1]].append(delivery_from_row(row))
            return [pack_from_row(pack, members[pack[0]]) for pack in packs]

        return await self._write(write)

    async def next_pack_due_ms(self) -> int | None:
        return await self._fetch_int(
            f"SELECT MIN(MAX(next_attempt_at, lease_until)) FROM delivery_packs WHERE {PENDING}",
            (),
        )

    async def mark_pack_delivered(self, pack_id: int, message_id: int, now_ms: int) -> None:
        def write(db: sqlite3.Connection) -> None:
            db.execute(MARK_PACK_DELIVERED, (message_id, now_ms, pack_id))
            db.execute(MARK_PACKED_DELIVERED, (message_id, now_ms, pack_id))

        await self._write(write)

    async def mark_pack_retry(self, pack_id: int, next_attempt_ms: int, error: str) -> None:
        def write(db: sqlite3.Connection) -> None:
            db.execute(MARK_PACK_RETRY, (next_attempt_ms, error[:500], pack_id))
            db.execute(NOTE_PACKED_ERROR, (error[:500], pack_id))

        await self._write(write)

    async def release_packs(self, pack_ids: Collection[int]) -> None:
        await self._run(
            "UPDATE delivery_packs SET lease_until = 0, attempts = attempts - 1"
            f" WHERE id IN ({marks(pack_ids)})",
            tuple(pack_ids),
        )

    async def mark_pack_undeliverable(self, pack_id: int, reason: str) -> None:
        def write(db: sqlite3.Connection) -> None:
            db.execute(MARK_PACK_UNDELIVERABLE, (reason[:500], pack_id))
            db.execute(MARK_PACKED_UNDELIVERABLE, (reason[:500], pack_id))

        await self._write(write)
