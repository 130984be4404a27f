"""Members' tag subscriptions, the server's switch for them, and the pings recorded per session.

A ping goes through the outbox like every other delivery (bot/delivery/subscription_sink.py):
the members a session pings are recorded before the first message is sent, each member once per
scope (a session, or a followed stream's follow), so a resend pings the same members in the same
messages and no two sessions of one follow ever ping a member twice, whichever processes deliver
them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from bot.domain.subscriptions import PingBatch, SubscribeOutcome, Subscriber


class SubscriptionStore(Protocol):
    async def subscribe(
        self, guild_id: int, user_id: int, tag: str, now_ms: int, *, limit: int
    ) -> SubscribeOutcome:
        """Subscribe the member to ``tag`` (matched by ``tag_key``) unless they already are or
        hold ``limit`` subscriptions in this server. One transaction; PostgreSQL takes a
        transaction advisory lock on the member's subscriptions first, so two concurrent
        subscribes of one member cannot both pass the limit."""
        ...

    async def unsubscribe(self, guild_id: int, user_id: int, tag: str) -> bool:
        """Whether the member was subscribed to ``tag`` (one delete)."""
        ...

    async def member_subscriptions(self, guild_id: int, user_id: int) -> list[str]:
        """The member's tags in this server, as typed, in the order subscribed."""
        ...

    async def subscribers(self, guild_id: int, tag_keys: Collection[str]) -> list[Subscriber]:
        """Every subscription in the server to one of these keys (``tag_key``)."""
        ...

    async def subscriptions_enabled(self, guild_id: int) -> bool:
        """On unless the server switched them off."""
        ...

    async def set_subscriptions_enabled(self, guild_id: int, enabled: bool, now_ms: int) -> None:
        """One upsert."""
        ...

    async def claim_ping_batch(
        self,
        convo_id: str,
        scope: str,
        user_ids: Collection[int],
        tags: Sequence[str],
        now_ms: int,
    ) -> PingBatch:
        """The members this session pings, recorded once, before its first message is sent.

        The first call for a session records a batch (``tags``, ``now_ms``) holding each of
        ``user_ids`` that no session of ``scope`` holds already; every later call returns that
        batch as recorded, whatever it is given, so a resend pings the same members in the same
        messages. One transaction. PostgreSQL: ``INSERT INTO ping_batches … ON CONFLICT
        (convo_id) DO NOTHING RETURNING`` (a concurrent first call for the session waits on the
        row, then finds the batch), and only when it inserted, ``INSERT INTO pings … ON CONFLICT
        (scope, user_id) DO NOTHING`` (a concurrent session of the same follow waits on each
        member's row, then leaves it to the session that took it); then the batch is read.
        """
        ...

    async def record_ping_message(
        self, convo_id: str, user_ids: Collection[int], message_id: int
    ) -> None:
        """The message that pinged these members of the session's batch (one update)."""
        ...
