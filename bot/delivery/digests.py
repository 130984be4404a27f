"""WeeklyDigests: each server's digest, posted once a week in its results (else alerts) channel.

Exactly once across crashes and processes, the way packs are (packs.py): the due digest is a row
claimed with a lease (``claim_due_digests``), and the claim records when its first send began
before anything is sent. Every send of one digest carries the same nonce, made from the server
and the due time, so Discord returns the earlier message for a resend it still recalls; a resend
later than that first looks through the channel since the first attempt for the digest's footer
(poster.py). Only then is the row moved on to next week, and only if it still holds this digest.

A server with neither channel gets no digest that week (``config show`` says why); a channel
the bot may no longer post in loses that week's digest, as a result does (retries.py). Nothing a
digest posts mentions anyone. It is posted for everyone in the channel, so it reads in the
server's language (``poster.guild_words``); a resend finds an earlier attempt in any language.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
from typing import Protocol

import discord

from bot.delivery.poster import DiscordPoster, EarlierAttempt
from bot.delivery.retries import DeliveryFailed, RetryPolicy
from bot.domain.clock import Clock, now_ms
from bot.domain.digest_figures import digest_figures
from bot.domain.digests import WEEK_MS, DigestSchedule, first_due_ms, next_due_ms
from bot.domain.due_loop import DueLoop
from bot.rendering.digest import digest_embed, digest_key, shown_digest
from bot.rendering.digest_chart import CHART_FILENAME, tags_chart_png
from bot.store.interface import DigestStore, ReportStore, ServerSettingsStore

log = logging.getLogger(__name__)

# Time to read a week, draw it and post it; a process that dies holding one frees it after this.
DIGEST_LEASE_MS = 120_000
NO_CHANNEL = "no results or alerts channel"


class WeeklyDigestStore(DigestStore, ReportStore, ServerSettingsStore, Protocol):
    """The schedule, the week's sessions and alerts, and where the server's posts go."""


def digest_nonce(schedule: DigestSchedule) -> str:
    """At most 25 characters, as Discord requires; the same for every send of one digest."""
    key = digest_key(schedule.guild_id, schedule.due_at_ms).encode()
    return "cs-d-" + hashlib.sha256(key).hexdigest()[:20]


class WeeklyDigests:
    def __init__(
        self,
        store: WeeklyDigestStore,
        poster: DiscordPoster,
        *,
        clock: Clock = now_ms,
        max_idle_s: float = 60.0,
    ) -> None:
        """``poster`` keeps the same ``clock``, so it tells an old first attempt by it."""
        self._store = store
        self._poster = poster
        self._clock = clock
        self._retries = RetryPolicy(clock)
        self._due = DueLoop(clock, max_idle_s)

    def wake(self) -> None:
        """A schedule changed here: its due time may come before the one being waited for."""
        self._due.wake()

    async def run_due(self) -> int:
        """Give servers with a channel and no schedule the default one, then post what is due."""
        now = self._clock()
        await self._store.seed_digests(first_due_ms(DigestSchedule(0), now), now)
        due = await self._store.claim_due_digests(now, DIGEST_LEASE_MS, 20)
        for index, schedule in enumerate(due):
            try:
                await self._post(schedule)
            except asyncio.CancelledError:
                # Stopping: what it holds is handed back now, not when its lease runs out, so a
                # restart posts it at once (the same nonce, after a look for the earlier post).
                await asyncio.shield(self._release(due[index:]))
                raise
        return len(due)

    async def _release(self, schedules: list[DigestSchedule]) -> None:
        for schedule in schedules:
            await self._store.release_digest(schedule.guild_id, schedule.due_at_ms)

    async def _post(self, schedule: DigestSchedule) -> None:
        # The next one a week on, or, after an outage longer than that, the next still ahead.
        after = max(schedule.due_at_ms, self._clock())
        following = next_due_ms(schedule.weekday, schedule.hour, schedule.timezone, after)
        settings = await self._store.guild_settings(schedule.guild_id)
        channel_id = settings.results_channel_id or settings.alert_channel_id
        if channel_id is None:
            await self._store.finish_digest(
                schedule.guild_id, schedule.due_at_ms, following, None, NO_CHANNEL
            )
            return
        try:
            message_id = await self._send(schedule, channel_id)
        except DeliveryFailed as failure:
            await self._failed(schedule, following, failure)
            return
        except Exception as error:
            log.exception("digest of guild %s crashed", schedule.guild_id)
            await self._failed(
                schedule, following, DeliveryFailed(type(error).__name__, permanent=False)
            )
            return
        await self._store.finish_digest(
            schedule.guild_id, schedule.due_at_ms, following, message_id, None
        )

    async def _send(self, schedule: DigestSchedule, channel_id: int) -> int:
        guild_id, end = schedule.guild_id, schedule.due_at_ms
        sessions = await self._store.guild_sessions_between(guild_id, end - WEEK_MS, end)
        alerts = await self._store.guild_alerts_between(guild_id, end - WEEK_MS, end)
        figures = digest_figures(sessions, alerts, end, schedule.timezone)
        picture = await asyncio.to_thread(tags_chart_png, figures)
        key = digest_key(guild_id, end)

        def shows(message: discord.Message) -> bool:
            return any(shown_digest(embed) == key for embed in message.embeds)

        first = schedule.first_attempt_at_ms
        return await self._poster.send(
            channel_id,
            embeds=[digest_embed(figures, schedule, words=self._poster.guild_words(guild_id))],
            files=[discord.File(io.BytesIO(picture), CHART_FILENAME)],
            nonce=digest_nonce(schedule),
            earlier=EarlierAttempt(self._clock() if first is None else first, shows),
        )

    async def _failed(
        self, schedule: DigestSchedule, following: int, failure: DeliveryFailed
    ) -> None:
        retry_at = self._retries.retry_at(schedule.attempts, failure)
        guild_id, due = schedule.guild_id, schedule.due_at_ms
        if retry_at is None:
            log.warning("digest of guild %s not posted this week: %s", guild_id, failure.reason)
            await self._store.finish_digest(guild_id, due, following, None, failure.reason)
            return
        log.info("digest of guild %s retried at %d: %s", guild_id, retry_at, failure.reason)
        await self._store.retry_digest(guild_id, due, retry_at, failure.reason)

    async def run(self) -> None:
        await self._due.run(self.run_due, self._store.next_digest_due_ms)
