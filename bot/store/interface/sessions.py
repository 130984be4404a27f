"""Sessions and the webhook secrets that verify their results."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Protocol

from bot.domain.records import (
    Completion,
    CompletionOutcome,
    SessionRecord,
    TagRequest,
)
from bot.domain.stream_details import NO_DETAILS, StreamDetails


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

    async def mark_running(self, convo_id: str, stream: StreamDetails = NO_DETAILS) -> None:
        """``stream``: what resolving the stream's page told of it; each part it has replaces
        the stored one (the announcement's), each it lacks keeps it."""
        ...

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


class SecretStore(Protocol):
    async def add_shared_secret(self, secret: str, created_at_ms: int) -> None: ...

    async def shared_secrets(self) -> list[tuple[str, int]]:
        """Rotated secrets, oldest first, with the time each came into force."""
        ...
