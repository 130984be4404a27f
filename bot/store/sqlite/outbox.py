"""The delivery outbox in SQLite: rows leased to one worker at a time, retried, then settled."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection

from bot.domain.records import Delivery, DeliveryPack
from bot.store.rows import DELIVERY_COLUMNS, delivery_from_row
from bot.store.sqlite.tables import Tables, marks
from bot.store.statements import (
    DELIVERIES_FOR,
    MARK_DELIVERED,
    MARK_RETRY,
    MARK_UNDELIVERABLE,
    PENDING,
    RELEASE_DELIVERY,
    RENEW_DELIVERY,
    RENEW_PACK,
    UNCAPPED,
)

# Due rows not in a pack, numbered per channel in due order: a claim takes the first few of each
# channel (OutboxStore: fair across channels). A row without a channel counts as channel 0.
_DUE_BY_CHANNEL = (
    f"SELECT {DELIVERY_COLUMNS} FROM (SELECT {DELIVERY_COLUMNS}, ROW_NUMBER() OVER"
    " (PARTITION BY channel_id ORDER BY next_attempt_at, id) AS turn FROM deliveries"
    f" WHERE {PENDING} AND pack_id IS NULL AND kind IN ({{kinds}}) AND next_attempt_at <= ?"
    " AND lease_until <= ? AND COALESCE(channel_id, 0) NOT IN ({skipped}))"
    " WHERE turn <= ? ORDER BY next_attempt_at, id LIMIT ?"
)


class OutboxTables(Tables):
    async def claim_due_deliveries(
        self,
        kinds: Collection[str],
        now_ms: int,
        lease_ms: int,
        limit: int,
        *,
        per_channel: int | None = None,
        skip_channels: Collection[int] = (),
    ) -> list[Delivery]:
        lease_until = now_ms + lease_ms
        skipped = tuple(skip_channels)
        sql = _DUE_BY_CHANNEL.format(kinds=marks(kinds), skipped=marks(skipped))
        params = (*kinds, now_ms, now_ms, *skipped, per_channel or UNCAPPED, limit)

        def write(db: sqlite3.Connection) -> list[Delivery]:
            claimed = [delivery_from_row(row) for row in db.execute(sql, params)]
            db.executemany(
                "UPDATE deliveries SET lease_until = ?, attempts = attempts + 1 WHERE id = ?",
                [(lease_until, d.id) for d in claimed],
            )
            return claimed

        return await self._write(write)

    async def mark_delivered(self, delivery: Delivery, message_id: int | None, now_ms: int) -> None:
        await self._run(MARK_DELIVERED, (message_id, now_ms, delivery.id, delivery.claim))

    async def mark_retry(self, delivery: Delivery, next_attempt_ms: int, error: str) -> None:
        await self._run(MARK_RETRY, (next_attempt_ms, error[:500], delivery.id, delivery.claim))

    async def release_deliveries(self, deliveries: Collection[Delivery]) -> None:
        params = [(delivery.id, delivery.claim) for delivery in deliveries]

        def write(db: sqlite3.Connection) -> None:
            db.executemany(RELEASE_DELIVERY, params)

        await self._write(write)

    async def mark_undeliverable(self, delivery: Delivery, reason: str) -> None:
        await self._run(MARK_UNDELIVERABLE, (reason[:500], delivery.id, delivery.claim))

    async def renew_leases(
        self, deliveries: Collection[Delivery], packs: Collection[DeliveryPack], lease_until: int
    ) -> None:
        rows = [(lease_until, delivery.id, delivery.claim) for delivery in deliveries]
        held = [(lease_until, pack.id, pack.claim) for pack in packs]

        def write(db: sqlite3.Connection) -> None:
            db.executemany(RENEW_DELIVERY, rows)
            db.executemany(RENEW_PACK, held)

        await self._write(write)

    async def next_delivery_due_ms(
        self, kinds: Collection[str], skip_channels: Collection[int] = ()
    ) -> int | None:
        return await self._fetch_int(
            "SELECT MIN(MAX(next_attempt_at, lease_until)) FROM deliveries"
            f" WHERE {PENDING} AND pack_id IS NULL AND kind IN ({marks(kinds)})"
            f" AND COALESCE(channel_id, 0) NOT IN ({marks(skip_channels)})",
            (*kinds, *skip_channels),
        )

    async def deliveries_for(self, convo_id: str) -> list[Delivery]:
        rows = await self._fetch(DELIVERIES_FOR, (convo_id,))
        return [delivery_from_row(row) for row in rows]
