"""AlertRepings: the one re-ping of an alert nobody acknowledged, as a new message (an edit
notifies nobody), then silence.

Durable and taken by one process however many share the database: the re-ping is a due time on
the alert's row, leased by the process that claims it (``claim_due_repings``) and cleared once
sent or no longer wanted, so it is never sent twice and never scheduled again. Every send of one
re-ping carries the same nonce, and a resend later than Discord recalls nonces first looks for it
in the channel (poster.py), as alerts do. An alert acknowledged meanwhile is never claimed; a
followed stream that stopped being followed (it ended, or a moderator stopped it) is not
re-pinged. Its only mention is the alert role. It reads in its server's language, as its alert
does.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Protocol

import discord

from bot.delivery.poster import DiscordPoster, EarlierAttempt
from bot.delivery.retries import DeliveryFailed
from bot.domain.clock import Clock, now_ms
from bot.domain.due_loop import DueLoop
from bot.domain.server_records import AlertRecord, FollowState
from bot.rendering.alerts import reping_embed, reping_session
from bot.store.interface import AlertStore, FollowStore, ServerSettingsStore

log = logging.getLogger(__name__)

# Time to post one re-ping; a process that dies holding one frees it after this.
REPING_LEASE_MS = 60_000
# A re-ping that keeps failing (Discord away) is tried again each lease until this long after it
# fell due: later than that it tells the moderators nothing their alert did not, and a re-ping
# hours late would only wake them for a stream long over.
REPING_LATEST_MS = 3_600_000


class AlertRepingStore(AlertStore, FollowStore, ServerSettingsStore, Protocol):
    """The alerts due a re-ping, their follows and the server's alert role."""


def reping_nonce(alert: AlertRecord) -> str:
    """At most 25 characters; the same for every send of one alert's re-ping."""
    return "cs-r-" + hashlib.sha256(alert.convo_id.encode()).hexdigest()[:20]


class AlertRepings:
    def __init__(
        self,
        store: AlertRepingStore,
        poster: DiscordPoster,
        *,
        clock: Clock = now_ms,
        max_idle_s: float = 30.0,
    ) -> None:
        self._store = store
        self._poster = poster
        self._clock = clock
        self._due = DueLoop(clock, max_idle_s)

    def wake(self) -> None:
        """An alert was raised here: its re-ping may come before the one being waited for."""
        self._due.wake()

    async def run_due(self) -> int:
        due = await self._store.claim_due_repings(self._clock(), REPING_LEASE_MS, 20)
        for index, alert in enumerate(due):
            try:
                await self._reping(alert)
            except DeliveryFailed as failure:
                if not failure.permanent and not self._too_late(alert):
                    continue  # its lease runs out and it is claimed again
                log.warning("re-ping of alert %s dropped: %s", alert.convo_id, failure)
                await self._store.finish_reping(alert.convo_id)
            except asyncio.CancelledError:
                # Stopping: what it holds is handed back now, not when its lease runs out, so a
                # restart sends it at once (the same nonce, after a look for the earlier post).
                await asyncio.shield(self._release(due[index:]))
                raise
        return len(due)

    def _too_late(self, alert: AlertRecord) -> bool:
        due = alert.reping_at_ms or alert.created_at_ms
        return self._clock() - due >= REPING_LATEST_MS

    async def _release(self, alerts: list[AlertRecord]) -> None:
        for alert in alerts:
            await self._store.release_reping(alert.convo_id)

    async def _reping(self, alert: AlertRecord) -> None:
        settings = await self._store.guild_settings(alert.guild_id)
        if settings.alert_channel_id is None or not await self._still_followed(alert):
            await self._store.finish_reping(alert.convo_id)
            return
        content = None
        mentions = discord.AllowedMentions.none()
        if settings.alert_role_id is not None:
            content = f"<@&{settings.alert_role_id}>"
            mentions = discord.AllowedMentions(
                everyone=False, users=False, roles=[discord.Object(settings.alert_role_id)]
            )

        def shows(message: discord.Message) -> bool:
            return any(reping_session(embed) == alert.convo_id for embed in message.embeds)

        await self._poster.send(
            alert.channel_id,
            content=content,
            embeds=[
                reping_embed(
                    alert,
                    settings.alert_reping_minutes,
                    words=self._poster.guild_words(alert.guild_id),
                )
            ],
            reply_to=alert.message_id,
            mentions=mentions,
            nonce=reping_nonce(alert),
            # Nothing was sent before it fell due.
            earlier=EarlierAttempt(alert.reping_at_ms or alert.created_at_ms, shows),
        )
        await self._store.finish_reping(alert.convo_id)

    async def _still_followed(self, alert: AlertRecord) -> bool:
        """A one-off alert is re-pinged; a follow's only while the stream is still followed."""
        if alert.follow_id is None:
            return True
        follow = await self._store.get_follow(alert.follow_id)
        return follow is not None and follow.state is FollowState.ACTIVE

    async def run(self) -> None:
        await self._due.run(self.run_due, self._store.next_reping_due_ms)
