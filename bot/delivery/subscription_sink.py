"""The subscription sink: pings the members subscribed to a tag a session was heard with.

A session's outbox row of kind ``subscription`` is queued with its result, in the same
transaction, and goes out after it (worker.py), so the ping can reply to the posted result. The
members it pings are recorded before the first message is sent (``claim_ping_batch``): each
member once per scope (a session, or a followed stream's follow), split into as few messages as
Discord allows (bot/domain/subscriptions.py). A resend takes the same batch, skips the messages
already recorded, and sends the others with the same nonces; past Discord's memory of a nonce it
first looks in the channel for what an earlier attempt posted (poster.py). So a member is pinged
exactly once, across crashes and processes, and nobody else is: each message allows exactly its
members' mentions. A ping is public, so it reads in the server's language (``poster.guild_words``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import discord

from bot.delivery.poster import DiscordPoster, EarlierAttempt
from bot.delivery.routing import result_channel
from bot.domain.clock import now_ms
from bot.domain.records import Delivery, DeliveryKind, SessionRecord
from bot.domain.subscriptions import PingBatch, heard_keys, ping_content, ping_scope, tag_key
from bot.rendering.results import jump_url
from bot.rendering.subscriptions import ping_embed, ping_mentions, shows_ping
from bot.store.interface import FollowStore, OutboxStore, ServerSettingsStore, SubscriptionStore


class SubscriptionSinkStore(
    SubscriptionStore, ServerSettingsStore, OutboxStore, FollowStore, Protocol
):
    """Subscriptions and pings; where the result goes, and its posted message, to reply to it."""


def ping_nonce(delivery: Delivery, index: int) -> str:
    """At most 25 characters; unique per outbox row and message of its batch."""
    return f"cs-{delivery.convo_id[:6]}-{delivery.id}s{index}"[:25]


def _shows(convo_id: str, users: tuple[int, ...]) -> Callable[[discord.Message], bool]:
    return lambda message: shows_ping(message, convo_id, users)


class DiscordSubscriptionSink:
    def __init__(self, poster: DiscordPoster, store: SubscriptionSinkStore) -> None:
        self._poster = poster
        self._store = store

    async def deliver(self, delivery: Delivery, session: SessionRecord) -> int | None:
        """The first message that pinged anyone; None when the session pings nobody."""
        guild_id = session.origin.guild_id
        if guild_id is None:
            return None
        batch = await self._batch(guild_id, session)
        if batch is None or not batch.members:
            return None
        settings = await self._store.guild_settings(guild_id)
        follow = None
        if session.follow_id is not None:
            follow = await self._store.get_follow(session.follow_id)
        channel_id = result_channel(session, settings, follow)
        if channel_id is None:
            return None
        result_id = await self._result_message(session)
        result_url = None if result_id is None else jump_url(guild_id, channel_id, result_id)
        embed = ping_embed(
            session, batch.tags, result_url, words=self._poster.guild_words(guild_id)
        )
        first: int | None = None
        for index, users in enumerate(batch.messages()):
            message_id = batch.posted(users)
            if message_id is None:
                # An earlier claim may have posted it, then died or stopped: a stop hands the
                # row back uncounted, so the row's attempts cannot tell; the batch's age can.
                earlier = EarlierAttempt(batch.created_at_ms, _shows(session.convo_id, users))
                message_id = await self._poster.send(
                    channel_id,
                    content=ping_content(users),
                    embeds=[embed],
                    reply_to=result_id,
                    mentions=ping_mentions(users),
                    nonce=ping_nonce(delivery, index),
                    earlier=earlier,
                )
                await self._store.record_ping_message(session.convo_id, users, message_id)
            first = message_id if first is None else first
        return first

    async def _batch(self, guild_id: int, session: SessionRecord) -> PingBatch | None:
        """The members this session pings, recorded once; None when it pings nobody."""
        heard = heard_keys(session)
        if not heard or not await self._store.subscriptions_enabled(guild_id):
            return None
        subscribers = await self._store.subscribers(guild_id, list(heard))
        if not subscribers:
            return None
        keys = {tag_key(subscriber.tag) for subscriber in subscribers}
        tags = [tag for key, tag in heard.items() if key in keys]
        users = {subscriber.user_id for subscriber in subscribers}
        return await self._store.claim_ping_batch(
            session.convo_id, ping_scope(session), users, tags, now_ms()
        )

    async def _result_message(self, session: SessionRecord) -> int | None:
        """The session's posted result (a followed stream's timeline), if it is posted."""
        for row in await self._store.deliveries_for(session.convo_id):
            if row.kind is DeliveryKind.RESULT and row.message_id is not None:
                return row.message_id
        return None
