"""Delivery packs in PostgreSQL: recorded as one message, then leased and settled as one, across
processes."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from bot.domain.records import Delivery, DeliveryPack
from bot.store import statements
from bot.store.postgres.tables import Tables, numbered
from bot.store.rows import DELIVERY_COLUMNS, PACK_COLUMNS, delivery_from_row, pack_from_row
from bot.store.statements import PENDING

NEW_PACK = numbered(statements.NEW_PACK)
DROP_PACK = numbered(statements.DROP_PACK)
PACK_ROWS = numbered(statements.PACK_ROWS)
MARK_PACK_DELIVERED = numbered(statements.MARK_PACK_DELIVERED)
MARK_PACKED_DELIVERED = numbered(statements.MARK_PACKED_DELIVERED)
MARK_PACK_RETRY = numbered(statements.MARK_PACK_RETRY)
NOTE_PACKED_ERROR = numbered(statements.NOTE_PACKED_ERROR)
MARK_PACK_UNDELIVERABLE = numbered(statements.MARK_PACK_UNDELIVERABLE)
MARK_PACKED_UNDELIVERABLE = numbered(statements.MARK_PACKED_UNDELIVERABLE)
# A row joins only while the claim that handed it out still holds it
# (bot/store/interface/delivery.py): a concurrent claim holds the row's lock first, and once it
# commits the row's attempts no longer match.
JOIN_PACK = (
    "UPDATE deliveries SET pack_id = $1 FROM unnest($2::bigint[], $3::int[]) AS held (id,"
    " claim) WHERE deliveries.id = held.id AND deliveries.attempts = held.claim"
    f" AND deliveries.pack_id IS NULL AND deliveries.{PENDING}"
)
CLAIM_PACKS = (
    "UPDATE delivery_packs SET lease_until = $2, attempts = attempts + 1 WHERE id IN (SELECT id"
    f" FROM delivery_packs WHERE {PENDING} AND next_attempt_at <= $1 AND lease_until <= $1"
    " ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)"
    f" RETURNING {PACK_COLUMNS}"
)
PACKS_ROWS = (
    f"SELECT {DELIVERY_COLUMNS}, pack_id FROM deliveries WHERE pack_id = ANY($1::bigint[])"
    " ORDER BY id"
)
RELEASE_PACKS = (
    "UPDATE delivery_packs SET lease_until = 0, attempts = attempts - 1 WHERE id = ANY($1)"
)
NEXT_PACK_DUE = (
    f"SELECT MIN(GREATEST(next_attempt_at, lease_until)) FROM delivery_packs WHERE {PENDING}"
)


class PackTables(Tables):
    async def record_pack(
        self, channel_id: int, rows: Sequence[Delivery], now_ms: int, lease_ms: int
    ) -> DeliveryPack | None:
        async with self._transaction() as db:
            pack_id = await db.fetchval(NEW_PACK, channel_id, now_ms, now_ms + lease_ms, now_ms)
            ids = [row.id for row in rows]
            claims = [row.claim for row in rows]
            if await db.execute(JOIN_PACK, pack_id, ids, claims) == "UPDATE 0":
                await db.execute(DROP_PACK, pack_id)
                return None
            members = [delivery_from_row(row) for row in await db.fetch(PACK_ROWS, pack_id)]
        return DeliveryPack(pack_id, channel_id, tuple(members), 0, now_ms)

    async def claim_due_packs(self, now_ms: int, lease_ms: int, limit: int) -> list[DeliveryPack]:
        async with self._transaction() as db:
            packs = await db.fetch(CLAIM_PACKS, now_ms, now_ms + lease_ms, limit)
            ids = [pack[0] for pack in packs]
            members: dict[int, list[Delivery]] = {pack_id: [] for pack_id in ids}
            for row in await db.fetch(PACKS_ROWS, ids):
                members[row[-1]].append(delivery_from_row(row))
        claimed = [
            pack_from_row((pack[0], pack[1], pack[2] - 1, pack[3]), members[pack[0]])
            for pack in packs
        ]
        return sorted(claimed, key=lambda pack: pack.id)

    async def next_pack_due_ms(self) -> int | None:
        return await self._fetch_int(NEXT_PACK_DUE)

    async def mark_pack_delivered(self, pack_id: int, message_id: int, now_ms: int) -> None:
        async with self._transaction() as db:
            await db.execute(MARK_PACK_DELIVERED, message_id, now_ms, pack_id)
            await db.execute(MARK_PACKED_DELIVERED, message_id, now_ms, pack_id)

    async def mark_pack_retry(self, pack_id: int, next_attempt_ms: int, error: str) -> None:
        async with self._transaction() as db:
            await db.execute(MARK_PACK_RETRY, next_attempt_ms, error[:500], pack_id)
            await db.execute(NOTE_PACKED_ERROR, error[:500], pack_id)

    async def release_packs(self, pack_ids: Collection[int]) -> None:
        await self._run(RELEASE_PACKS, list(pack_ids))

    async def mark_pack_undeliverable(self, pack_id: int, reason: str) -> None:
        async with self._transaction() as db:
            await db.execute(MARK_PACK_UNDELIVERABLE, reason[:500], pack_id)
            await db.execute(MARK_PACKED_UNDELIVERABLE, reason[:500], pack_id)
