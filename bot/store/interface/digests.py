"""A server's history by tag, and its weekly digest: the schedule, its lease, and the week read.

The digest is posted once per server per week however many processes share the database and
whichever of them crashes: its due time is a row, claimed with a lease as follows are, and the
time its first send began is recorded before the send, so a resend carries the same nonce and,
past Discord's memory of it, first looks for the earlier post (bot/delivery/digest_sink.py).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from bot.domain.digests import DigestSchedule
from bot.domain.records import SessionRecord
from bot.domain.server_records import AlertRecord


class DigestStore(Protocol):
    async def digest_schedule(self, guild_id: int) -> DigestSchedule | None:
        """The server's digest row; None when it has none yet (defaults apply)."""
        ...

    async def save_digest_schedule(self, schedule: DigestSchedule, now_ms: int) -> None:
        """Insert or replace the server's settings and next due time (one upsert). A digest in
        flight for the earlier due time is dropped: its lease, attempts and first attempt reset,
        so the new due time is a new digest."""
        ...

    async def seed_digests(self, due_at_ms: int, now_ms: int) -> int:
        """Give every server that has a results or alerts channel and no digest row yet the
        default schedule, due at ``due_at_ms``; how many it gave one. One ``INSERT … SELECT …
        ON CONFLICT DO NOTHING``, so processes seeding at once insert each row once."""
        ...

    async def claim_due_digests(
        self, now_ms: int, lease_ms: int, limit: int
    ) -> list[DigestSchedule]:
        """Lease enabled digests due at or before ``now_ms`` whose lease has run out, so that
        two processes never post the same one at once, earliest due first.

        Each claim counts an attempt and sets ``first_attempt_at`` unless an earlier claim of
        the same due time set it; the rows come back as the claim left them. PostgreSQL:
        ``UPDATE digests … FROM (SELECT … FOR UPDATE SKIP LOCKED) … RETURNING …``, so
        concurrent claimers skip each other's rows instead of waiting.
        """
        ...

    async def next_digest_due_ms(self) -> int | None:
        """When the first enabled digest may be claimed (its due time, or its lease's end)."""
        ...

    async def finish_digest(
        self,
        guild_id: int,
        due_at_ms: int,
        next_due_ms: int,
        message_id: int | None,
        error: str | None,
    ) -> bool:
        """The digest due at ``due_at_ms`` is settled (posted as ``message_id``, or skipped
        with ``error``), and the next one is due at ``next_due_ms``. Only while that digest is
        still the row's (one conditional ``UPDATE … WHERE due_at = …``): a schedule changed
        meanwhile is not moved on. Whether it was."""
        ...

    async def retry_digest(
        self, guild_id: int, due_at_ms: int, retry_at_ms: int, error: str
    ) -> None:
        """The send failed for now: claimable again from ``retry_at_ms``, same digest."""
        ...

    async def release_digest(self, guild_id: int, due_at_ms: int) -> None:
        """The process is stopping mid-send: claimable again at once, not when the lease ends,
        with its attempt and its first attempt's time kept, so the resend (with the same nonce)
        looks for the earlier post first."""
        ...


class ReportStore(Protocol):
    async def tag_history(
        self, guild_id: int, tag: str, channel_ids: Collection[int], limit: int, offset: int
    ) -> list[SessionRecord]:
        """The server's sessions heard with ``tag`` (case-insensitive) in ``channel_ids``,
        newest first, ``limit`` of them from ``offset``."""
        ...

    async def guild_sessions_between(
        self, guild_id: int, start_ms: int, end_ms: int
    ) -> list[SessionRecord]:
        """The server's sessions created in ``[start_ms, end_ms)`` that were heard (a result
        with tags), oldest first."""
        ...

    async def guild_alerts_between(
        self, guild_id: int, start_ms: int, end_ms: int
    ) -> list[AlertRecord]:
        """The server's alerts raised in ``[start_ms, end_ms)``, oldest first."""
        ...
