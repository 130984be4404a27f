"""Members' tag subscriptions in PostgreSQL: the member's limit under an advisory lock, a
session's pings claimed under its batch row's lock (bot/store/interface/subscriptions.py)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from bot.domain.subscriptions import PingBatch, SubscribeOutcome, Subscriber, tag_key
from bot.store import subscription_sql as sql
from bot.store.postgres.tables import Tables, numbered

IS_SUBSCRIBED = numbered(sql.IS_SUBSCRIBED)
COUNT_SUBSCRIPTIONS = numbered(sql.COUNT_SUBSCRIPTIONS)
SUBSCRIBE = numbered(sql.SUBSCRIBE)
UNSUBSCRIBE = numbered(sql.UNSUBSCRIBE)
MEMBER_SUBSCRIPTIONS = numbered(sql.MEMBER_SUBSCRIPTIONS)
SUBSCRIBERS = numbered(sql.SUBSCRIBERS) + " = ANY($2::text[])"
SUBSCRIPTIONS_ENABLED = numbered(sql.SUBSCRIPTIONS_ENABLED)
SET_SUBSCRIPTIONS_ENABLED = numbered(sql.SET_SUBSCRIPTIONS_ENABLED)
NEW_BATCH = numbered(sql.NEW_BATCH) + " RETURNING 1"
SELECT_BATCH = numbered(sql.SELECT_BATCH)
BATCH_MEMBERS = numbered(sql.BATCH_MEMBERS)
CLAIM_PINGS = (
    "INSERT INTO pings (scope, user_id, convo_id) SELECT $1, user_id, $3"
    " FROM unnest($2::bigint[]) AS user_id ON CONFLICT (scope, user_id) DO NOTHING"
)
RECORD_PING_MESSAGE = numbered(sql.RECORD_PING_MESSAGE) + " = ANY($3::bigint[])"
# One member's subscriptions in one server, in the two-key advisory lock space (the migration
# lock uses the one-key space, so the two never meet).
LOCK_MEMBER = "SELECT pg_advisory_xact_lock(hashtext('chatsight:subscriptions'), hashtext($1))"


class SubscriptionTables(Tables):
    async def subscribe(
        self, guild_id: int, user_id: int, tag: str, now_ms: int, *, limit: int
    ) -> SubscribeOutcome:
        key = tag_key(tag)
        async with self._transaction() as db:
            await db.execute(LOCK_MEMBER, f"{guild_id}:{user_id}")
            if await db.fetchval(IS_SUBSCRIBED, guild_id, user_id, key):
                return SubscribeOutcome.ALREADY
            if await db.fetchval(COUNT_SUBSCRIPTIONS, guild_id, user_id) >= limit:
                return SubscribeOutcome.FULL
            await db.execute(SUBSCRIBE, guild_id, user_id, key, tag.strip(), now_ms)
        return SubscribeOutcome.ADDED

    async def unsubscribe(self, guild_id: int, user_id: int, tag: str) -> bool:
        return await self._run(UNSUBSCRIBE, guild_id, user_id, tag_key(tag)) == 1

    async def member_subscriptions(self, guild_id: int, user_id: int) -> list[str]:
        return [row[0] for row in await self._fetch(MEMBER_SUBSCRIPTIONS, guild_id, user_id)]

    async def subscribers(self, guild_id: int, tag_keys: Collection[str]) -> list[Subscriber]:
        rows = await self._fetch(SUBSCRIBERS, guild_id, list(tag_keys))
        return [Subscriber(int(row[0]), row[1]) for row in rows]

    async def subscriptions_enabled(self, guild_id: int) -> bool:
        row = await self._fetch_one(SUBSCRIPTIONS_ENABLED, guild_id)
        return row is None or bool(row[0])

    async def set_subscriptions_enabled(self, guild_id: int, enabled: bool, now_ms: int) -> None:
        await self._run(SET_SUBSCRIPTIONS_ENABLED, guild_id, int(enabled), now_ms)

    async def claim_ping_batch(
        self,
        convo_id: str,
        scope: str,
        user_ids: Collection[int],
        tags: Sequence[str],
        now_ms: int,
    ) -> PingBatch:
        async with self._transaction() as db:
            if await db.fetchval(NEW_BATCH, convo_id, ",".join(tags), now_ms):
                # In id order, so two sessions of one follow lock shared members in one order.
                await db.execute(CLAIM_PINGS, scope, sorted(user_ids), convo_id)
            batch = await db.fetchrow(SELECT_BATCH, convo_id)
            members = await db.fetch(BATCH_MEMBERS, convo_id)
        return sql.batch_from_rows(batch, members)

    async def record_ping_message(
        self, convo_id: str, user_ids: Collection[int], message_id: int
    ) -> None:
        await self._run(RECORD_PING_MESSAGE, message_id, convo_id, list(user_ids))
