"""Members' tag subscriptions in SQLite: every read that decides a write runs in the writer."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Sequence

from bot.domain.subscriptions import PingBatch, SubscribeOutcome, Subscriber, tag_key
from bot.store.sqlite.tables import Tables
from bot.store.subscription_sql import (
    BATCH_MEMBERS,
    CLAIM_PING,
    COUNT_SUBSCRIPTIONS,
    IS_SUBSCRIBED,
    MEMBER_SUBSCRIPTIONS,
    NEW_BATCH,
    RECORD_PING_MESSAGE,
    SELECT_BATCH,
    SET_SUBSCRIPTIONS_ENABLED,
    SUBSCRIBE,
    SUBSCRIBERS,
    SUBSCRIPTIONS_ENABLED,
    UNSUBSCRIBE,
    batch_from_rows,
)

# A list comes as one JSON array parameter.
IN_LIST = " IN (SELECT value FROM json_each(?))"


class SubscriptionTables(Tables):
    async def subscribe(
        self, guild_id: int, user_id: int, tag: str, now_ms: int, *, limit: int
    ) -> SubscribeOutcome:
        key = tag_key(tag)

        def write(db: sqlite3.Connection) -> SubscribeOutcome:
            if db.execute(IS_SUBSCRIBED, (guild_id, user_id, key)).fetchone():
                return SubscribeOutcome.ALREADY
            if db.execute(COUNT_SUBSCRIPTIONS, (guild_id, user_id)).fetchone()[0] >= limit:
                return SubscribeOutcome.FULL
            db.execute(SUBSCRIBE, (guild_id, user_id, key, tag.strip(), now_ms))
            return SubscribeOutcome.ADDED

        return await self._write(write)

    async def unsubscribe(self, guild_id: int, user_id: int, tag: str) -> bool:
        return await self._run(UNSUBSCRIBE, (guild_id, user_id, tag_key(tag))) == 1

    async def member_subscriptions(self, guild_id: int, user_id: int) -> list[str]:
        return [row[0] for row in await self._fetch(MEMBER_SUBSCRIPTIONS, (guild_id, user_id))]

    async def subscribers(self, guild_id: int, tag_keys: Collection[str]) -> list[Subscriber]:
        rows = await self._fetch(SUBSCRIBERS + IN_LIST, (guild_id, json.dumps(list(tag_keys))))
        return [Subscriber(int(row[0]), row[1]) for row in rows]

    async def subscriptions_enabled(self, guild_id: int) -> bool:
        row = await self._fetch_one(SUBSCRIPTIONS_ENABLED, (guild_id,))
        return row is None or bool(row[0])

    async def set_subscriptions_enabled(self, guild_id: int, enabled: bool, now_ms: int) -> None:
        await self._run(SET_SUBSCRIPTIONS_ENABLED, (guild_id, int(enabled), now_ms))

    async def claim_ping_batch(
        self,
        convo_id: str,
        scope: str,
        user_ids: Collection[int],
        tags: Sequence[str],
        now_ms: int,
    ) -> PingBatch:
        def write(db: sqlite3.Connection) -> PingBatch:
            if db.execute(NEW_BATCH, (convo_id, ",".join(tags), now_ms)).rowcount == 1:
                db.executemany(CLAIM_PING, [(scope, user, convo_id) for user in user_ids])
            batch = db.execute(SELECT_BATCH, (convo_id,)).fetchone()
            return batch_from_rows(batch, db.execute(BATCH_MEMBERS, (convo_id,)).fetchall())

        return await self._write(write)

    async def record_ping_message(
        self, convo_id: str, user_ids: Collection[int], message_id: int
    ) -> None:
        sql = RECORD_PING_MESSAGE + IN_LIST
        await self._run(sql, (message_id, convo_id, json.dumps(list(user_ids))))
