"""The storage interface every backend implements (SQLite now, PostgreSQL later).

It is deliberately narrow and speaks in domain records, so the same test suite can run against
each backend and nothing above this layer writes SQL.
"""

from __future__ import annotations

from collections.abc import Awaitable, Collection
from typing import Protocol

from bot.domain.records import (
    Completion,
    CompletionOutcome,
    Delivery,
    SessionRecord,
    TagRequest,
)


class StoreUnavailable(Exception):
    """The store took no write: locked past its wait, out of disk, or closed. Nothing was
    written, so the caller can say so (a webhook gets 503) and the work can be tried again."""


class Store(Protocol):
    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def healthy(self) -> bool: ...

    async def create_session(self, request: TagRequest, token_hash: str | None) -> bool:
        """Insert in state ``starting`` and say whether Chatsight must now be called.

        A retried request yields the same convoId: if that session never got past ``starting``
        it takes the new token and is started again; if it did, nothing changes (False).
        """
        ...

    async def mark_running(self, convo_id: str) -> None: ...

    async def set_origin_message(self, convo_id: str, message_id: int) -> None: ...

    def complete(self, completion: Completion) -> Awaitable[CompletionOutcome]:
        """Record a final state and its outbox rows in one committed transaction.

        Any awaitable will do (a coroutine, or the SQLite writer's own future, which saves a
        coroutine per webhook).
        """
        ...

    async def get_session(self, convo_id: str) -> SessionRecord | None: ...

    async def channel_sessions(self, channel_id: int, limit: int) -> list[SessionRecord]: ...

    async def awaiting_sessions(
        self, created_before_ms: int, limit: int
    ) -> list[SessionRecord]: ...

    async def count_awaiting(self, guild_id: int) -> int: ...

    async def claim_due_deliveries(
        self, kinds: Collection[str], now_ms: int, lease_ms: int, limit: int
    ) -> list[Delivery]:
        """Lease due rows so that two workers never hand the same row to a sink at once."""
        ...

    async def next_delivery_due_ms(self, kinds: Collection[str]) -> int | None: ...

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

    async def add_shared_secret(self, secret: str, created_at_ms: int) -> None: ...

    async def shared_secrets(self) -> list[tuple[str, int]]:
        """Rotated secrets, oldest first, with the time each came into force."""
        ...
