"""The delivery outbox in PostgreSQL: rows leased to one worker at a time, across processes."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from bot.domain.records import Delivery
from bot.store import statements
from bot.store.postgres.tables import Tables, numbered
from bot.store.rows import DELIVERY_COLUMNS, delivery_from_row
from bot.store.statements import PENDING

MARK_DELIVERED = numbered(statements.MARK_DELIVERED)
MARK_RETRY = numbered(statements.MARK_RETRY)
MARK_UNDELIVERABLE = numbered(statements.MARK_UNDELIVERABLE)
DELIVERIES_FOR = numbered(statements.DELIVERIES_FOR)
# Concurrent workers skip each other's locked rows rather than wait for them; each claim counts
# as an attempt (interface.py), and a row is returned as it was before this claim.
CLAIM_DUE = (
    "UPDATE deliveries SET lease_until = $3, attempts = attempts + 1 WHERE id IN (SELECT id"
    f" FROM deliveries WHERE {PENDING} AND kind = ANY($1::text[]) AND next_attempt_at <= $2"
    " AND lease_until <= $2 ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)"
    f" RETURNING {DELIVERY_COLUMNS}"
)
RELEASE = "UPDATE deliveries SET lease_until = 0, attempts = attempts - 1 WHERE id = ANY($1)"
NEXT_DUE = (
    "SELECT MIN(GREATEST(next_attempt_at, lease_until)) FROM deliveries"
    f" WHERE {PENDING} AND kind = ANY($1::text[])"
)


class OutboxTables(Tables):
    async def claim_due_deliveries(
        self, kinds: Collection[str], now_ms: int, lease_ms: int, limit: int
    ) -> list[Delivery]:
        rows = await self._fetch(CLAIM_DUE, list(kinds), now_ms, now_ms + lease_ms, limit)
        claimed = [replace(d, attempts=d.attempts - 1) for d in map(delivery_from_row, rows)]
        return sorted(claimed, key=lambda d: (d.next_attempt_at_ms, d.id))

    async def mark_delivered(self, delivery_id: int, message_id: int | None, now_ms: int) -> None:
        await self._run(MARK_DELIVERED, message_id, now_ms, delivery_id)

    async def mark_retry(self, delivery_id: int, next_attempt_ms: int, error: str) -> None:
        await self._run(MARK_RETRY, next_attempt_ms, error[:500], delivery_id)

    async def release_deliveries(self, delivery_ids: Collection[int]) -> None:
        await self._run(RELEASE, list(delivery_ids))

    async def mark_undeliverable(self, delivery_id: int, reason: str) -> None:
        await self._run(MARK_UNDELIVERABLE, reason[:500], delivery_id)

    async def next_delivery_due_ms(self, kinds: Collection[str]) -> int | None:
        return await self._fetch_int(NEXT_DUE, list(kinds))

    async def deliveries_for(self, convo_id: str) -> list[Delivery]:
        return [delivery_from_row(row) for row in await self._fetch(DELIVERIES_FOR, convo_id)]
