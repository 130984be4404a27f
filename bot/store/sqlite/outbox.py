"""The delivery outbox in SQLite: rows leased to one worker at a time, retried, then settled."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import replace

from bot.domain.records import Delivery
from bot.store.rows import DELIVERY_COLUMNS, delivery_from_row
from bot.store.sqlite.tables import Tables, marks
from bot.store.statements import (
    DELIVERIES_FOR,
    MARK_DELIVERED,
    MARK_RETRY,
    MARK_UNDELIVERABLE,
    PENDING,
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
            claimed = [
                replace(delivery_from_row(row), lease_until_ms=lease_until)
                for row in db.execute(sql, params)
            ]
            db.executemany(
                "UPDATE deliveries SET lease_until = ?, attempts = attempts + 1 WHERE id = ?",
                [(lease_until, d.id) for d in claimed],
            )
            return claimed

        return await self._write(write)

    async def mark_delivered(self, delivery_id: int, message_id: int | None, now_ms: int) -> None:
        await self._run(MARK_DELIVERED, (message_id, now_ms, delivery_id))

    async def mark_retry(self, delivery_id: int, next_attempt_ms: int, error: str) -> None:
        await self._run(MARK_RETRY, (next_attempt_ms, error[:500], delivery_id))

    async def release_deliveries(self, delivery_ids: Collection[int]) -> None:
        await self._run(
            "UPDATE deliveries SET lease_until = 0, attempts = attempts - 1"
            f" WHERE id IN ({marks(delivery_ids)})",
            tuple(delivery_ids),
        )

    async def mark_undeliverable(self, delivery_id: int, reason: str) -> None:
        await self._run(MARK_UNDELIVERABLE, (reason[:500], delivery_id))

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
