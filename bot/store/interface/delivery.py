"""The outbox and the request budget that paces it across processes."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from bot.domain.records import (
    Delivery,
    DeliveryPack,
)
from bot.domain.request_slots import RequestSlot


class OutboxStore(Protocol):
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
        """Lease due rows so that two workers never hand the same row to a sink at once.

        Each claim counts as an attempt; a row comes back as it was before this claim, so its
        ``attempts`` counts the earlier ones, and its ``claim`` names this one: the worker
        renews, packs and settles the row by it. A row already in a pack (``record_pack``) is
        not claimed here: its pack is.

        Fair across channels (a row's ``channel_id``, the channel it was asked in): at most
        ``per_channel`` rows of any one channel, and none of ``skip_channels`` (those whose rows
        the worker already holds enough of), so one busy channel cannot fill a claim while the
        others wait behind it.

        PostgreSQL: ``UPDATE deliveries SET lease_until = …, attempts = attempts + 1 WHERE id IN
        (SELECT id … FOR UPDATE SKIP LOCKED) RETURNING …, attempts - 1``, the due rows numbered
        per channel (``ROW_NUMBER() OVER (PARTITION BY channel_id …)``) beneath it, so
        concurrent workers skip each other's rows instead of waiting.
        """
        ...

    async def next_delivery_due_ms(
        self, kinds: Collection[str], skip_channels: Collection[int] = ()
    ) -> int | None:
        """When the first row a claim could take falls due (its lease included): of ``kinds``,
        in no pack, in none of ``skip_channels``."""
        ...

    async def deliveries_for(self, convo_id: str) -> list[Delivery]: ...

    # A claimed row is settled, renewed or handed back only while its claim holds it (its
    # attempts equal ``delivery.claim``) and it is pending: otherwise nothing changes, as a
    # worker whose lease ran out and that answers late must not undo the work of the claim that
    # took the row since.

    async def mark_delivered(
        self, delivery: Delivery, message_id: int | None, now_ms: int
    ) -> None: ...

    async def mark_retry(self, delivery: Delivery, next_attempt_ms: int, error: str) -> None: ...

    async def release_deliveries(self, deliveries: Collection[Delivery]) -> None:
        """Hand claimed rows back, their claim uncounted: their worker is stopping, and a stop
        is no failed attempt."""
        ...

    async def mark_undeliverable(self, delivery: Delivery, reason: str) -> None: ...

    async def renew_leases(
        self, deliveries: Collection[Delivery], packs: Collection[DeliveryPack], lease_until: int
    ) -> None:
        """Lease the claimed rows and packs until ``lease_until``: they are still in their
        worker's hands (waiting for their channel's turn, or being posted), and a lease that ran
        out would let another claim post them again. Not those settled or given back since."""
        ...

    async def record_pack(
        self, channel_id: int, rows: Sequence[Delivery], now_ms: int, lease_ms: int
    ) -> DeliveryPack | None:
        """Record claimed rows as one pack for ``channel_id``, before its first send.

        A row joins only while it is pending, in no pack, and still held by the claim that
        handed it out (its ``claim``): a row whose lease ran out and that another worker claimed
        stays that worker's. Returns the pack with the rows that joined, leased until
        ``now_ms + lease_ms`` with this send as its first attempt (``attempts`` 0 before it), or
        None when none joined (then no pack is left behind). One transaction. PostgreSQL: insert
        the pack, ``UPDATE deliveries SET pack_id = … FROM unnest(ids, claims) WHERE attempts
        = claim AND pack_id IS NULL AND state = 'pending'`` (a concurrent claim holds the row
        lock, and after it the attempts no longer match), then the pack's rows.
        """
        ...

    async def claim_due_packs(self, now_ms: int, lease_ms: int, limit: int) -> list[DeliveryPack]:
        """Lease due packs as ``claim_due_deliveries`` leases rows: each claim an attempt, a pack
        returned as it was before this claim, with all its rows. PostgreSQL: ``UPDATE
        delivery_packs … WHERE id IN (SELECT id … FOR UPDATE SKIP LOCKED) RETURNING …``."""
        ...

    async def next_pack_due_ms(self) -> int | None: ...

    async def mark_pack_delivered(self, pack_id: int, message_id: int, now_ms: int) -> None:
        """The pack and every row of it delivered as that message, in one transaction."""
        ...

    async def mark_pack_retry(self, pack_id: int, next_attempt_ms: int, error: str) -> None:
        """The pack is sent again (the same pack, the same nonce) from ``next_attempt_ms``."""
        ...

    async def release_packs(self, pack_ids: Collection[int]) -> None:
        """As ``release_deliveries``, for packs."""
        ...

    async def mark_pack_undeliverable(self, pack_id: int, reason: str) -> None:
        """The pack and every row of it, in one transaction."""
        ...


class RequestBudgetStore(Protocol):
    async def reserve_request_slot(self, interval_ms: int, hold_ms: int = 0) -> RequestSlot:
        """The next slot of the bot's Discord request budget (bot/domain/request_slots.py): slots
        ``interval_ms`` apart, none before ``hold_ms`` from now, handed out in order to every
        process that shares this store, so together they never exceed the budget.

        Both times are by the store's clock (PostgreSQL's, not the caller's), so processes on
        hosts whose clocks differ still space their requests; the caller waits ``wait_ms``.
        PostgreSQL: one upsert on ``request_slots``, ``next_at = GREATEST(next_at, now + hold) +
        interval``, concurrent callers taking the row lock in turn. SQLite serves one process,
        which keeps the schedule in memory.
        """
        ...
