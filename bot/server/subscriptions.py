"""TagSubscriptions: members choosing the tags they are pinged for, and the server's switch.

The pings themselves go out through the outbox (bot/delivery/subscription_sink.py); this is what
the commands change. A server that switched subscriptions off keeps its members' subscriptions,
so switching them on again restores them; meanwhile nobody is pinged and nobody can add one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.domain.clock import now_ms
from bot.domain.refusals import NotOneTag, SubscriptionsOff
from bot.domain.subscriptions import MAX_SUBSCRIPTIONS, MAX_TAG_LENGTH, SubscribeOutcome
from bot.store.interface import SubscriptionStore


@dataclass(frozen=True, slots=True)
class MemberSubscriptions:
    tags: tuple[str, ...]
    enabled: bool  # whether the server pings anyone at all


def one_tag(raw: str) -> str:
    tag = raw.strip()
    if not tag or "," in tag or len(tag) > MAX_TAG_LENGTH:
        raise NotOneTag(MAX_TAG_LENGTH)
    return tag


class TagSubscriptions:
    def __init__(self, store: SubscriptionStore, *, clock: Callable[[], int] = now_ms) -> None:
        self._store = store
        self._clock = clock

    async def subscribe(self, guild_id: int, user_id: int, raw: str) -> SubscribeOutcome:
        tag = one_tag(raw)
        if not await self._store.subscriptions_enabled(guild_id):
            raise SubscriptionsOff()
        return await self._store.subscribe(
            guild_id, user_id, tag, self._clock(), limit=MAX_SUBSCRIPTIONS
        )

    async def unsubscribe(self, guild_id: int, user_id: int, raw: str) -> bool:
        return await self._store.unsubscribe(guild_id, user_id, one_tag(raw))

    async def of_member(self, guild_id: int, user_id: int) -> MemberSubscriptions:
        tags = await self._store.member_subscriptions(guild_id, user_id)
        return MemberSubscriptions(tuple(tags), await self._store.subscriptions_enabled(guild_id))

    async def switch(self, guild_id: int, enabled: bool) -> None:
        await self._store.set_subscriptions_enabled(guild_id, enabled, self._clock())
