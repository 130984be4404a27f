"""What lets several processes share one database: lifecycle, identify slots, the change feed,
and the id they answer with as one deployment."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Protocol


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


class DeploymentStore(Protocol):
    async def deployment_id(self) -> str:
        """The id every process sharing this database answers ``/healthz`` with: made once, by
        the first process to ask (one upsert), and never changed after."""
        ...

    async def writable(self) -> bool:
        """Whether a write is durably stored now: the deployment row's upsert, committed as a
        result is. False, never an error, when the store refuses it (a full disk, a read-only
        database, a write lock held past the wait): reads may still work then."""
        ...
