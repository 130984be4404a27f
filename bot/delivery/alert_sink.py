"""The alert sink: a moderator alert in the server's alerts channel, once per session.

Its only mention is the configured alert role. A session's result is posted before its alert, so
the alert usually links to it from the start. When the result's post is failing (its channel
answers 5xx, say), the alert does not wait out the result's backoff: moderators get it at once,
and the link is edited in once the result is posted (``link_result``).
"""

from __future__ import annotations

import logging

import discord

from bot.delivery.poster import DiscordPoster, delivery_nonce
from bot.delivery.worker import DeliveryFailed
from bot.domain.alert_policy import AlertDecision, evaluate
from bot.domain.clock import now_ms
from bot.domain.records import Delivery, SessionRecord
from bot.domain.server_records import AlertRecord, GuildSettings
from bot.rendering.server import acknowledged_embed, alert_embed, alert_view, jump_url
from bot.store.sqlite import SQLiteStore

log = logging.getLogger(__name__)


class DiscordAlertSink:
    def __init__(self, poster: DiscordPoster, store: SQLiteStore) -> None:
        self._poster = poster
        self._store = store

    async def deliver(self, delivery: Delivery, session: SessionRecord) -> int | None:
        decided = await self._decide(session)
        if decided is None:
            return None
        settings, decision = decided
        assert settings.alert_channel_id is not None and session.guild_id is not None
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

    async def link_result(self, session: SessionRecord, channel_id: int, message_id: int) -> None:
        """Edits the result's link into an alert that was posted before the result.

        The result is already posted: whatever goes wrong here (Discord refusing the edit, the
        store unreadable) is logged and leaves the alert without its link, never raised, since
        raising would count the posted result as failed and send it again.
        """
        try:
            await self._link_result(session, jump_url(session.guild_id, channel_id, message_id))
        except DeliveryFailed as failure:
            log.warning("alert for %s kept without its result link: %s", session.convo_id, failure)
        except Exception:
            log.exception("alert for %s kept without its result link", session.convo_id)

    async def _link_result(self, session: SessionRecord, url: str) -> None:
        alert = await self._store.get_alert(session.convo_id)
        if alert is None or alert.message_id is None:
            return
        decided = await self._decide(session)
        if decided is None:
            return
        embed = alert_embed(session, decided[1], result_url=url)
        acknowledged = alert.acknowledged_by is not None
        if acknowledged:
            embed = acknowledged_embed(embed, alert)
        await self._poster.edit(
            alert.channel_id,
            alert.message_id,
            embed=embed,
            view=alert_view(session, acknowledged=acknowledged),
        )

    async def _decide(self, session: SessionRecord) -> tuple[GuildSettings, AlertDecision] | None:
        """The server's settings and why this session alerts, if it does and has a channel to."""
        if session.guild_id is None:
            return None
        settings = await self._store.guild_settings(session.guild_id)
        decision = evaluate(settings, session)
        if decision is None or settings.alert_channel_id is None:
            return None
        return settings, decision

    async def _result_url(self, session: SessionRecord) -> str | None:
        """None while the result is not posted yet: ``link_result`` adds it then."""
        for row in await self._store.deliveries_for(session.convo_id):
            if row.kind != "result":
                continue
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
