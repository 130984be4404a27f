"""The storage interface every backend implements: SQLite, and PostgreSQL (asyncpg).

One small protocol per concern, so each service names only what it uses, and ``Store`` for the
whole. They speak in domain records, so one test suite (``tests/store/``) runs against every
backend and nothing above this layer writes SQL.

Several bot processes may share one PostgreSQL database, so no rule may rest on one process's
memory: every read-modify-write is one statement or one transaction inside the store. Each method
that is one says how the PostgreSQL backend must keep it atomic. The SQLite backend runs every
write inside its single writer (``BEGIN IMMEDIATE``, which also locks out other processes), and
reads what it is about to change through the writer's own connection.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Collection, Sequence
from typing import Protocol

from bot.domain.records import (
    Completion,
    CompletionOutcome,
    Delivery,
    DeliveryPack,
    SessionRecord,
    TagRequest,
)
from bot.domain.refusals import ServerBusy, TooSoon
from bot.domain.request_slots import RequestSlot
from bot.domain.server_records import AlertRecord, Follow, FollowState, GuildSettings


class ChangeTopic(enum.StrEnum):
    """What another process may have changed, as ``ChangeFeed.listen`` names it."""

    OUTBOX = "outbox"  # a completion queued deliveries
    SECRETS = "secrets"  # a webhook secret was rotated
    SETTINGS = "settings"  # a server's settings or watched channels changed


class StoreLifecycle(Protocol):
    async def open(self) -> None:
        """Connect and bring the schema up to date (``bot/store/migrations/``, PostgreSQL:
        ``bot/store/postgres/migrations/``)."""
        ...

    async def close(self) -> None:
        """Finish every accepted write first, so shutdown never loses one."""
        ...

    async def healthy(self) -> bool: ...


class SessionStore(Protocol):
    async def create_session(self, request: TagRequest, token_hash: str | None) -> bool:
        """Insert in state ``starting`` and say whether Chatsight must now be called.

        A retried request yields the same convoId: if that session never got past ``starting``
        it takes the new token and is started again; if it did, nothing changes (False).

        The admission hold for this convoId (``AdmissionStore.admit``) goes in the same
        transaction, so the server's slot is counted exactly once at every moment. PostgreSQL:
        the upsert and ``DELETE FROM admission_holds`` in one transaction.
        """
        ...

    async def mark_running(self, convo_id: str) -> None: ...

    async def set_origin_message(self, convo_id: str, message_id: int) -> None: ...

    def complete(self, completion: Completion) -> Awaitable[CompletionOutcome]:
        """Record a final state and its outbox rows in one committed transaction.

        Only an awaiting session whose token hash matches completes, once. PostgreSQL: one
        ``UPDATE sessions … WHERE convo_id = $1 AND state IN ('starting', 'running') RETURNING``
        (the row lock makes a concurrent second completion see the new state and match nothing),
        then the outbox rows ``ON CONFLICT DO NOTHING``, in one transaction.

        Any awaitable will do (a coroutine, or the SQLite writer's own future, which saves a
        coroutine per webhook).
        """
        ...

    async def get_session(self, convo_id: str) -> SessionRecord | None: ...

    async def channel_sessions(self, channel_id: int, limit: int) -> list[SessionRecord]: ...

    async def claim_overdue_sessions(
        self, created_before_ms: int, now_ms: int, lease_ms: int, limit: int
    ) -> list[SessionRecord]:
        """Lease awaiting sessions created by ``created_before_ms`` for one poll, oldest first,
        so that two monitors (in one process or several) never poll the same session at once.

        A session is leased until ``now_ms + lease_ms``; until then no claim returns it again,
        and it needs no release: its result ends it, or the lease runs out and it is due again.
        PostgreSQL: ``UPDATE sessions SET poll_lease_until = … WHERE convo_id IN (SELECT … FOR
        UPDATE SKIP LOCKED) RETURNING …``, so concurrent monitors skip each other's sessions.
        """
        ...

    async def count_awaiting(self, guild_id: int) -> int: ...


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
        ``attempts`` counts the earlier ones, with the lease of this claim (``lease_until_ms``).
        A row already in a pack (``record_pack``) is not claimed here: its pack is.

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

    async def mark_delivered(
        self, delivery_id: int, message_id: int | None, now_ms: int
    ) -> None: ...

    async def mark_retry(self, delivery_id: int, next_attempt_ms: int, error: str) -> None: ...

    async def release_deliveries(self, delivery_ids: Collection[int]) -> None:
        """Hand leased rows back, their claim uncounted: their worker is stopping, and a stop
        is no failed attempt."""
        ...

    async def mark_undeliverable(self, delivery_id: int, reason: str) -> None: ...

    async def record_pack(
        self, channel_id: int, rows: Sequence[Delivery], now_ms: int, lease_ms: int
    ) -> DeliveryPack | None:
        """Record claimed rows as one pack for ``channel_id``, before its first send.

        A row joins only while it is pending, in no pack, and still leased by the claim that
        handed it out (its ``lease_until_ms``): a row whose lease ran out and that another worker
        claimed stays that worker's. Returns the pack with the rows that joined, leased until
        ``now_ms + lease_ms`` with this send as its first attempt (``attempts`` 0 before it), or
        None when none joined (then no pack is left behind). One transaction. PostgreSQL: insert
        the pack, ``UPDATE deliveries SET pack_id = … FROM unnest(ids, leases) WHERE lease_until
        = lease AND pack_id IS NULL AND state = 'pending'`` (a concurrent claim holds the row
        lock, and after it the lease no longer matches), then the pack's rows.
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


class SecretStore(Protocol):
    async def add_shared_secret(self, secret: str, created_at_ms: int) -> None: ...

    async def shared_secrets(self) -> list[tuple[str, int]]:
        """Rotated secrets, oldest first, with the time each came into force."""
        ...


class ServerSettingsStore(Protocol):
    async def guild_settings(self, guild_id: int) -> GuildSettings:
        """The server's settings, defaults when it has none, with its watched channels."""
        ...

    async def update_guild_settings(
        self,
        guild_id: int,
        change: Callable[[GuildSettings], GuildSettings],
        now_ms: int,
    ) -> GuildSettings:
        """Read the settings, apply ``change`` and save what it returns, in one transaction.

        Two concurrent edits therefore both land. ``change`` must be pure: it may run while the
        write lock is held, and again if its transaction is retried. Whatever it raises (a
        refusal such as too many alert tags) aborts this edit, writes nothing and reaches the
        caller; other writes are unaffected. Watched channels change only through
        ``set_autotag_channel``; a ``change`` that alters them (or the guild id) is a ValueError.

        PostgreSQL: ``INSERT INTO guild_settings … ON CONFLICT DO NOTHING`` (so the row exists),
        ``SELECT … FROM guild_settings WHERE guild_id = $1 FOR UPDATE``, apply ``change``,
        ``UPDATE``, ``COMMIT``; ``ROLLBACK`` when ``change`` raises.
        """
        ...

    async def autotag_channels(self, guild_id: int) -> tuple[int, ...]: ...

    async def set_autotag_channel(
        self, guild_id: int, channel_id: int, watched: bool, now_ms: int
    ) -> bool:
        """Watch or unwatch; returns whether anything changed (one insert or delete)."""
        ...

    async def is_autotag_channel(self, guild_id: int, channel_id: int) -> bool: ...


class FollowStore(Protocol):
    async def create_follow(self, follow: Follow) -> int:
        """Store a new follow (its ``id`` is ignored) and return the id it was given."""
        ...

    async def get_follow(self, follow_id: int) -> Follow | None: ...

    async def claim_due_follows(self, now_ms: int, lease_ms: int, limit: int) -> list[Follow]:
        """Lease due active follows, so that two processes never sample the same one at once.

        Each claimed follow's ``next_sample_at`` moves to ``now_ms + lease_ms``, so no claim
        returns it again until then; its caller settles it
        (``record_sample``, ``postpone_follow`` or ``end_follow``), and a caller that dies
        leaves it due again when the lease runs out. A follow comes back as it was before this
        claim (its due time, not the lease), earliest due first. PostgreSQL: ``UPDATE follows SET
        next_sample_at = … FROM (SELECT … FOR UPDATE SKIP LOCKED) … RETURNING …``, so concurrent
        claimers skip each other's follows instead of waiting.
        """
        ...

    async def next_follow_due_ms(self) -> int | None: ...

    async def channel_follows(self, channel_id: int) -> list[Follow]:
        """The channel's active follows."""
        ...

    async def record_sample(self, follow_id: int, next_sample_at_ms: int, now_ms: int) -> None:
        """Count a sample (``samples = samples + 1``, one statement) and schedule the next."""
        ...

    async def postpone_follow(self, follow_id: int, next_sample_at_ms: int) -> None: ...

    async def end_follow(
        self, follow_id: int, state: FollowState, reason: str, now_ms: int
    ) -> bool:
        """Only an active follow ends, once; returns whether this call ended it (one
        conditional ``UPDATE … WHERE state = 'active'``, atomic on PostgreSQL as it is)."""
        ...

    async def set_timeline_message(
        self, follow_id: int, channel_id: int, message_id: int
    ) -> None: ...

    async def set_follow_origin(self, follow_id: int, message_id: int) -> None:
        """Binds the message a follow's results reply to, unless one is bound already."""
        ...

    async def follow_sessions(self, follow_id: int) -> list[SessionRecord]:
        """The follow's samples, oldest first."""
        ...


class AlertStore(Protocol):
    async def record_alert(self, alert: AlertRecord) -> None:
        """Insert, or set the message id of an alert already recorded (one upsert)."""
        ...

    async def get_alert(self, convo_id: str) -> AlertRecord | None: ...

    async def acknowledge_alert(self, convo_id: str, user_id: int, now_ms: int) -> bool:
        """The first acknowledgement wins; later clicks change nothing. One conditional
        ``UPDATE … WHERE acknowledged_by IS NULL``, atomic on PostgreSQL as it is."""
        ...


class AdmissionStore(Protocol):
    async def claim_stream(
        self, guild_id: int, url: str, now_ms: int, window_ms: int
    ) -> int | None:
        """The claim's round (1 for the first ever) when this is the first claim of this URL in
        this server within the window, else None.

        One upsert: ``INSERT … ON CONFLICT (guild_id, stream_url) DO UPDATE SET claimed_at = …,
        rounds = rounds + 1 WHERE claimed_at <= now - window RETURNING rounds``. PostgreSQL runs
        the same statement: a concurrent claim waits for the row lock, then sees the new
        ``claimed_at`` and returns no row.
        """
        ...

    async def admit(
        self,
        user_id: int,
        guild_id: int | None,
        hold_convo_id: str,
        *,
        now_ms: int,
        cooldown_ms: int,
        guild_cap: int,
        hold_ms: int,
    ) -> TooSoon | ServerBusy | None:
        """Fair use for one tagging request, in one transaction; None when admitted.

        Refused (nothing changes) when the member started one less than ``cooldown_ms`` ago,
        else when the server already counts ``guild_cap`` awaiting sessions plus unexpired
        holds. Admitted, it stamps the member's cooldown (one conditional upsert of
        ``member_cooldowns``) and, in a server, holds a slot for ``hold_convo_id`` until
        ``create_session`` turns the hold into the session, or ``hold_ms`` passes (the process
        died in between). Admitting a held convoId again renews its hold rather than adding
        one, and a convoId whose session exists already takes none.

        PostgreSQL, in one transaction: lock the server's row (``INSERT INTO admission_locks … ON
        CONFLICT (guild_id) DO UPDATE … RETURNING``, which waits for any other admission in that
        server); take the cooldown with ``INSERT INTO member_cooldowns … ON CONFLICT (user_id) DO
        UPDATE … WHERE last_start_at <= now - cooldown RETURNING`` (no row: too soon; read
        ``last_start_at`` for the wait, ``ROLLBACK``); count awaiting sessions and unexpired holds
        in ONE statement, so one snapshot sees a ``create_session`` either before or after it
        swapped the hold for the session, never half-way (at the cap: ``ROLLBACK``, which also
        undoes the cooldown); insert the hold; ``COMMIT``. The server row is locked before the
        member row by every admission, so two admissions never wait on each other in a cycle.
        """
        ...


class GatewayStore(Protocol):
    async def reserve_identify(self, bucket: int, now_ms: int, spacing_ms: int) -> int:
        """The time (ms) at which the caller may send its gateway IDENTIFY in ``bucket``.

        Every caller sharing the database gets a slot at least ``spacing_ms`` after the one
        before it, so several processes space their identifies per bucket between them. One
        upsert on ``identify_slots``: ``next_at = max(next_at, now) + spacing``, returning the
        ``max(next_at, now)`` it replaced; concurrent callers wait for the row lock in turn.
        """
        ...


class ChangeFeed(Protocol):
    async def listen(self, on_change: Callable[[str], None]) -> None:
        """Call ``on_change`` with a ``ChangeTopic`` whenever another process sharing the
        database may have changed that topic's rows (it may hear its own changes too), until
        cancelled.

        It also calls it for every topic when it starts listening and after each reconnection,
        since a change may have passed while nobody listened. Writes announce their topic inside
        their own transaction, so a change is heard only once it is committed. PostgreSQL:
        ``LISTEN chatsight_changes`` on a connection of its own (not the pool's), ``pg_notify``
        by ``complete`` (when it queues deliveries), ``add_shared_secret``,
        ``update_guild_settings`` and ``set_autotag_channel``. SQLite serves one process only,
        so after the first calls it just waits.
        """
        ...


class Store(
    StoreLifecycle,
    SessionStore,
    OutboxStore,
    RequestBudgetStore,
    SecretStore,
    ServerSettingsStore,
    FollowStore,
    AlertStore,
    AdmissionStore,
    GatewayStore,
    ChangeFeed,
    Protocol,
):
    """Every piece of durable state; ``bot.store.open_store`` picks the backend."""
