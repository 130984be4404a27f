"""The alert sink: a moderator alert in the server's alerts channel, once per session.

Its only mention is the configured alert role. A session's result is posted before its alert, so
the alert usually links to it from the start. When the result's post is failing (its channel
answers 5xx, say), the alert does not wait out the result's backoff: moderators get it at once,
and the link is edited in once the result is posted (``link_result``). Alerts are never packed:
each keeps its own message, mention and buttons.

An alert is recorded before it is posted; one recorded without its message may have been posted
by an attempt that died, so its resend carries the same nonce and, past Discord's memory of
nonces, first looks for it in the channel (poster.py).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Protocol

import discord

from bot.delivery.poster import DiscordPoster, EarlierAttempt, delivery_nonce
from bot.delivery.retries import DeliveryFailed
from bot.delivery.routing import result_channel
from bot.domain.alert_policy import AlertDecision, evaluate
from bot.domain.clock import now_ms
from bot.domain.records import Delivery, DeliveryKind, SessionRecord
from bot.domain.server_records import AlertRecord, GuildSettings
from bot.observability import metrics
from bot.rendering.results import jump_url
from bot.rendering.server import acknowledged_embed, alert_embed, alert_session, alert_view
from bot.store.interface import AlertStore, FollowStore, OutboxStore, ServerSettingsStore

log = logging.getLogger(__name__)


class AlertSinkStore(AlertStore, ServerSettingsStore, OutboxStore, FollowStore, Protocol):
    """Alerts and the server's alert settings; the result's row and follow, to link them."""


class DiscordAlertSink:
    def __init__(self, poster: DiscordPoster, store: AlertSinkStore) -> None:
        self._poster = poster
        self._store = store

    async def deliver(self, delivery: Delivery, session: SessionRecord) -> int | None:
        guild_id = session.origin.guild_id
        if guild_id is None:
            return None
        settings = await self._store.guild_settings(guild_id)
        decision = self._decide(session, settings)
        if decision is None:
            return None
        assert settings.alert_channel_id is not None
        existing = await self._store.get_alert(session.convo_id)
        if existing is not None and existing.message_id is not None:
            return existing.message_id
        result_url = await self._result_url(session, settings)
        mentions = discord.AllowedMentions.none()
        content = None
        if settings.alert_role_id is not None:
            content = f"<@&{settings.alert_role_id}>"
            mentions = discord.AllowedMentions(
                everyone=False, users=False, roles=[discord.Object(settings.alert_role_id)]
            )
        if existing is None:
            alert = AlertRecord(
                session.convo_id,
                guild_id,
                settings.alert_channel_id,
                decision.matched_tags,
                now_ms(),
            )
            # Recorded before it is posted: a moderator may click Acknowledge the moment it shows.
            await self._store.record_alert(alert)
            earlier = None
        else:
            alert = existing  # recorded by an attempt that may have posted it

            def shows(message: discord.Message) -> bool:
                return any(alert_session(embed) == session.convo_id for embed in message.embeds)

            earlier = EarlierAttempt(existing.created_at_ms, shows)
        message_id = await self._poster.send(
            alert.channel_id,
            content=content,
            embeds=[alert_embed(session, decision, result_url=result_url)],
            view=alert_view(session, acknowledged=False),
            mentions=mentions,
            nonce=delivery_nonce(delivery),
            earlier=earlier,
        )
        await self._store.record_alert(replace(alert, message_id=message_id))
        metrics.ALERTS_RAISED.inc()
        return message_id

    async def link_result(
        self,
        session: SessionRecord,
        settings: GuildSettings | None,
        channel_id: int,
        message_id: int,
    ) -> None:
        """Edits the result's link into an alert that was posted before the result.

        The result is already posted: whatever goes wrong here (Discord refusing the edit, the
        store unreadable) is logged and leaves the alert without its link, never raised, since
        raising would count the posted result as failed and send it again.
        """
        if settings is None:
            return
        url = jump_url(session.origin.guild_id, channel_id, message_id)
        try:
            await self._link_result(session, settings, url)
        except DeliveryFailed as failure:
            log.warning("alert for %s kept without its result link: %s", session.convo_id, failure)
        except Exception:
            log.exception("alert for %s kept without its result link", session.convo_id)

    async def _link_result(self, session: SessionRecord, settings: GuildSettings, url: str) -> None:
        alert = await self._store.get_alert(session.convo_id)
        if alert is None or alert.message_id is None:
            return
        decision = self._decide(session, settings)
        if decision is None:
            return
        embed = alert_embed(session, decision, result_url=url)
        acknowledged = alert.acknowledged_by is not None
        if acknowledged:
            embed = acknowledged_embed(embed, alert)
        await self._poster.edit(
            alert.channel_id,
            alert.message_id,
            embed=embed,
            view=alert_view(session, acknowledged=acknowledged),
        )

    @staticmethod
    def _decide(session: SessionRecord, settings: GuildSettings) -> AlertDecision | None:
        """Why this session alerts, if it does and the server has a channel for alerts."""
        decision = evaluate(settings, session)
        if decision is None or settings.alert_channel_id is None:
            return None
        return decision

    async def _result_url(self, session: SessionRecord, settings: GuildSettings) -> str | None:
        """None while the result is not posted yet: ``link_result`` adds it then."""
        for row in await self._store.deliveries_for(session.convo_id):
            if row.kind is not DeliveryKind.RESULT or row.message_id is None:
                continue
            follow = None
            if session.follow_id is not None:
                follow = await self._store.get_follow(session.follow_id)
            channel = result_channel(session, settings, follow)
            if channel is not None:
                return jump_url(session.origin.guild_id, channel, row.message_id)
        return None
