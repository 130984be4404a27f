"""The alert sink: a moderator alert in the server's alerts channel, once per session, and once
per follow for a followed stream.

A followed stream alerts only when its window of samples, read from the store, holds enough
samples with a reason (alert_policy.py); its later samples edit that alert (how often it was
heard, and when last) and never ping again. The one re-ping comes from alert_repings.py, due
``alert_reping_minutes`` after the alert is recorded.

It reads in its server's language (guild_words.py), and so does every later edit of it. Its
only mention is the configured alert role. A session's result is posted before its alert, so
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
from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

import discord

from bot.delivery.poster import DiscordPoster, EarlierAttempt, delivery_nonce
from bot.delivery.retries import DeliveryFailed
from bot.delivery.routing import result_channel
from bot.domain.alert_policy import AlertDecision, SustainedSignal, evaluate, sustained_signal
from bot.domain.clock import now_ms
from bot.domain.records import Delivery, DeliveryKind, SessionRecord
from bot.domain.server_records import AlertRecord, FollowState, GuildSettings
from bot.domain.stream_end import stream_ended
from bot.observability import metrics
from bot.rendering.alerts import acknowledged_embed, alert_embed, alert_session, alert_view
from bot.rendering.results import jump_url
from bot.store.interface import (
    AlertStore,
    FollowStore,
    OutboxStore,
    ServerSettingsStore,
    SessionStore,
)

log = logging.getLogger(__name__)


class AlertSinkStore(
    AlertStore, ServerSettingsStore, OutboxStore, FollowStore, SessionStore, Protocol
):
    """Alerts and the server's alert settings; the result's row and follow, to link them; a
    follow's samples, for its window."""


class DiscordAlertSink:
    def __init__(
        self,
        poster: DiscordPoster,
        store: AlertSinkStore,
        *,
        minute_s: float = 60.0,
        on_raised: Callable[[], None] | None = None,
    ) -> None:
        """``minute_s``: the re-ping delay is in minutes; tests shorten the minute.
        ``on_raised``: wakes the re-ping schedule for the alert just recorded."""
        self._poster = poster
        self._store = store
        self._minute_ms = minute_s * 1000
        self._on_raised = on_raised

    async def deliver(self, delivery: Delivery, session: SessionRecord) -> int | None:
        guild_id = session.origin.guild_id
        if guild_id is None:
            return None
        settings = await self._store.guild_settings(guild_id)
        if settings.alert_channel_id is None:
            return None
        if session.follow_id is not None:
            return await self._follow_sample(delivery, session, settings, session.follow_id)
        decision = evaluate(settings, session)
        if decision is None:
            return None
        return await self._raise(delivery, session, settings, decision, None)

    async def _follow_sample(
        self, delivery: Delivery, session: SessionRecord, settings: GuildSettings, follow_id: int
    ) -> int | None:
        """Raise the follow's one alert when this sample's window first holds enough, else
        show this sample on the alert already raised, by an edit that pings nobody."""
        samples = await self._finished_samples(follow_id)
        ids = [sample.convo_id for sample in samples]
        upto = samples[: ids.index(session.convo_id) + 1] if session.convo_id in ids else samples
        signal = sustained_signal(settings, upto)
        if signal is None:
            return None
        alert = await self._store.follow_alert(follow_id)
        if alert is None and await self._stream_over(follow_id, samples, session):
            return None
        if alert is None or alert.convo_id == session.convo_id:
            return await self._raise(delivery, session, settings, signal.decision, signal)
        if alert.message_id is not None:
            raising = await self._store.get_session(alert.convo_id)
            if raising is not None:
                await self._edit(
                    alert, raising, settings, await self._result_url(raising, settings)
                )
        return None

    async def _stream_over(
        self, follow_id: int, samples: list[SessionRecord], session: SessionRecord
    ) -> bool:
        """No alert is ever raised for a stream already ended: one a sample found ended, or a
        follow ended after this sample. A sample whose error ended the follow still alerts."""
        if any(stream_ended(sample) for sample in samples):
            return True
        follow = await self._store.get_follow(follow_id)
        if follow is None or follow.state is not FollowState.ENDED:
            return False
        return not samples or samples[-1].convo_id != session.convo_id

    async def _finished_samples(self, follow_id: int) -> list[SessionRecord]:
        return [s for s in await self._store.follow_sessions(follow_id) if not s.state.awaiting]

    async def _raise(
        self,
        delivery: Delivery,
        session: SessionRecord,
        settings: GuildSettings,
        decision: AlertDecision,
        heard: SustainedSignal | None,
    ) -> int | None:
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
            now = now_ms()
            alert = AlertRecord(
                session.convo_id,
                session.origin.guild_id or 0,
                settings.alert_channel_id,
                decision.matched_tags,
                now,
                follow_id=session.follow_id,
                reping_at_ms=now + int(settings.alert_reping_minutes * self._minute_ms),
            )
            # Recorded before it is posted: a moderator may click Acknowledge the moment it shows.
            await self._store.record_alert(alert)
            earlier = None
        else:
            alert = existing  # recorded by an attempt that may have posted it

            def shows(message: discord.Message) -> bool:
                return any(alert_session(embed) == session.convo_id for embed in message.embeds)

            earlier = EarlierAttempt(existing.created_at_ms, shows)
        words = self._poster.guild_words(alert.guild_id)
        message_id = await self._poster.send(
            alert.channel_id,
            content=content,
            embeds=[
                alert_embed(session, decision, result_url=result_url, words=words, heard=heard)
            ],
            view=alert_view(session, acknowledged=False, words=words),
            mentions=mentions,
            nonce=delivery_nonce(delivery),
            earlier=earlier,
        )
        await self._store.record_alert(replace(alert, message_id=message_id))
        metrics.ALERTS_RAISED.inc()
        if self._on_raised is not None:
            self._on_raised()
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
        await self._edit(alert, session, settings, url)

    async def _edit(
        self,
        alert: AlertRecord,
        raising: SessionRecord,
        settings: GuildSettings,
        result_url: str | None,
    ) -> None:
        """Shows the alert as it stands now, as acknowledged if it was; an edit pings nobody."""
        assert alert.message_id is not None
        heard = None
        if raising.follow_id is not None:
            heard = sustained_signal(settings, await self._finished_samples(raising.follow_id))
            decision = None if heard is None else heard.decision
        else:
            decision = evaluate(settings, raising)
        if decision is None:
            return
        words = self._poster.guild_words(alert.guild_id)
        embed = alert_embed(raising, decision, result_url=result_url, words=words, heard=heard)
        acknowledged = alert.acknowledged_by is not None
        if acknowledged:
            embed = acknowledged_embed(embed, alert, words=words)
        await self._poster.edit(
            alert.channel_id,
            alert.message_id,
            embed=embed,
            view=alert_view(raising, acknowledged=acknowledged, words=words),
        )

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
