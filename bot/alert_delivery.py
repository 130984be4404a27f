"""The alert sink: a moderator alert in the server's alerts channel, once per session.

Its only mention is the configured alert role. It waits for the result's own message first, so
the alert can link to it (unless that result turned out undeliverable).
"""

from __future__ import annotations

import discord

from bot.alerts import evaluate
from bot.delivery import DeliveryFailed
from bot.discord_delivery import delivery_nonce
from bot.discord_poster import DiscordPoster
from bot.guild_models import AlertRecord
from bot.models import Delivery, DeliveryState, SessionRecord
from bot.server_rendering import alert_embed, alert_view, jump_url
from bot.store.sqlite import SQLiteStore
from bot.timeutil import now_ms


class DiscordAlertSink:
    def __init__(self, poster: DiscordPoster, store: SQLiteStore) -> None:
        self._poster = poster
        self._store = store

    async def deliver(self, delivery: Delivery, session: SessionRecord) -> int | None:
        if session.guild_id is None:
            return None
        settings = await self._store.guild_settings(session.guild_id)
        decision = evaluate(settings, session)
        if decision is None or settings.alert_channel_id is None:
            return None
        existing = await self._store.get_alert(session.convo_id)
        if existing is not None and existing.message_id is not None:
            return existing.message_id
        result_url = await self._result_url(session)
        mentions = discord.AllowedMentions.none()
        content = None
        if settings.alert_role_id is not None:
            content = f"<@&{settings.alert_role_id}>"
            mentions = discord.AllowedMentions(
                everyone=False, users=False, roles=[discord.Object(settings.alert_role_id)]
            )
        message_id = await self._poster.send(
            settings.alert_channel_id,
            content=content,
            embed=alert_embed(session, decision, result_url=result_url),
            view=alert_view(session, acknowledged=False),
            mentions=mentions,
            nonce=delivery_nonce(delivery),
        )
        await self._store.record_alert(
            AlertRecord(
                session.convo_id,
                session.guild_id,
                settings.alert_channel_id,
                decision.matched_tags,
                now_ms(),
                message_id=message_id,
            )
        )
        return message_id

    async def _result_url(self, session: SessionRecord) -> str | None:
        for row in await self._store.deliveries_for(session.convo_id):
            if row.kind != "result":
                continue
            if row.state is DeliveryState.PENDING:
                raise DeliveryFailed("waiting for the result message", permanent=False)
            if row.message_id is not None and row.channel_id is not None:
                channel = await self._result_channel(session, row.channel_id)
                return jump_url(session.guild_id, channel, row.message_id)
        return None

    async def _result_channel(self, session: SessionRecord, default: int) -> int:
        if session.follow_id is not None:
            follow = await self._store.get_follow(session.follow_id)
            if follow is not None and follow.timeline_channel_id is not None:
                return follow.timeline_channel_id
        if session.guild_id is not None and session.source == "autotag":
            settings = await self._store.guild_settings(session.guild_id)
            return settings.results_channel_id or default
        return default
