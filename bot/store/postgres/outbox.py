"""The delivery outbox in PostgreSQL: rows leased to one worker at a time, across processes."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from bot.domain.records import Delivery, DeliveryPack
from bot.store import statements
from bot.store.postgres.tables import Tables, numbered
from bot.store.rows import DELIVERY_COLUMNS, delivery_from_row
from bot.store.statements import PENDING, UNCAPPED

MARK_DELIVERED = numbered(statements.MARK_DELIVERED)
MARK_RETRY = numbered(statements.MARK_RETRY)
MARK_UNDELIVERABLE = numbered(statements.MARK_UNDELIVERABLE)
DELIVERIES_FOR = numbered(statements.DELIVERIES_FOR)
_LOOSE_AND_DUE = f"{PENDING} AND pack_id IS NULL AND next_attempt_at <= $2 AND lease_until <= $2"
# Concurrent workers skip each other's locked rows rather than wait for them; each claim counts
# as an attempt (bot/store/interface/delivery.py), and a row is returned as it was before
# this claim. Only the first
# $6 due rows of each channel are candidates (numbered per channel beneath), and the locking
# select walks them in due order past the rows other claims hold, checking each again once it
# holds its lock, as a concurrent claim or pack may have changed it.
CLAIM_DUE = (
    "UPDATE deliveries SET lease_until = $3, attempts = attempts + 1 WHERE id IN (SELECT id"
    f" FROM deliveries WHERE {_LOOSE_AND_DUE} AND id IN (SELECT id FROM (SELECT id,"
    " ROW_NUMBER() OVER (PARTITION BY channel_id ORDER BY next_attempt_at, id) AS turn"
    f" FROM deliveries WHERE {_LOOSE_AND_DUE} AND kind = ANY($1::text[])"
    " AND COALESCE(channel_id, 0) <> ALL($5::bigint[])) ranked WHERE turn <= $6)"
    " ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)"
    f" RETURNING {DELIVERY_COLUMNS}"
)
# The shared statements' ``id = ? AND attempts = ?``, for many rows at once.
_HELD_ROWS = "FROM unnest($1::bigint[], $2::int[]) AS held (id, claim) WHERE {table}.id = held.id"
_HELD = f" AND {{table}}.attempts = held.claim AND {{table}}.{PENDING}"
RELEASE = (
    "UPDATE deliveries SET lease_until = 0, attempts = deliveries.attempts - 1"
    f" {_HELD_ROWS}{_HELD}".format(table="deliveries")
)
_RENEW = f"UPDATE {{table}} SET lease_until = $3 {_HELD_ROWS}{_HELD} AND {{table}}.lease_until > 0"
RENEW_ROWS = _RENEW.format(table="deliveries")
RENEW_PACKS = _RENEW.format(table="delivery_packs")
NEXT_DUE = (
    "SELECT MIN(GREATEST(next_attempt_at, lease_until)) FROM deliveries"
    f" WHERE {PENDING} AND pack_id IS NULL AND kind = ANY($1::text[])"
    " AND COALESCE(channel_id, 0) <> ALL($2::bigint[])"
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
        rows = await self._fetch(
            CLAIM_DUE,
            list(kinds),
            now_ms,
            now_ms + lease_ms,
            limit,
            list(skip_channels),
            per_channel or UNCAPPED,
        )
        claimed = [replace(d, attempts=d.attempts - 1) for d in map(delivery_from_row, rows)]
        return sorted(claimed, key=lambda d: (d.next_attempt_at_ms, d.id))

    async def mark_delivered(self, delivery: Delivery, message_id: int | None, now_ms: int) -> None:
        await self._run(MARK_DELIVERED, message_id, now_ms, delivery.id, delivery.claim)

    async def mark_retry(self, delivery: Delivery, next_attempt_ms: int, error: str) -> None:
        await self._run(MARK_RETRY, next_attempt_ms, error[:500], delivery.id, delivery.claim)

    async def release_deliveries(self, deliveries: Collection[Delivery]) -> None:
        await self._run(RELEASE, *_held(deliveries))

    async def mark_undeliverable(self, delivery: Delivery, reason: str) -> None:
        await self._run(MARK_UNDELIVERABLE, reason[:500], delivery.id, delivery.claim)

    async def renew_leases(
        self, deliveries: Collection[Delivery], packs: Collection[DeliveryPack], lease_until: int
    ) -> None:
        async with self._transaction() as db:
            await db.execute(RENEW_ROWS, *_held(deliveries), lease_until)
            await db.execute(RENEW_PACKS, *_held(packs), lease_until)

    async def next_delivery_due_ms(
        self, kinds: Collection[str], skip_channels: Collection[int] = ()
    ) -> int | None:
        return await self._fetch_int(NEXT_DUE, list(kinds), list(skip_channels))

    async def deliveries_for(self, convo_id: str) -> list[Delivery]:
        return [delivery_from_row(row) for row in await self._fetch(DELIVERIES_FOR, convo_id)]


def _held(claimed: Collection[Delivery | DeliveryPack]) -> tuple[list[int], list[int]]:
    """The ids and claims of rows or packs, as ``_HELD_ROWS`` takes them."""
    return [item.id for item in claimed], [item.claim for item in claimed]
