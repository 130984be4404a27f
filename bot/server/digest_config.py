"""DigestConfig: a server's weekly digest schedule, set by its moderators.

A server that never chose has the default schedule (Monday 09:00 UTC), which the scheduler gives
it once it has somewhere to post (bot/delivery/digests.py). Every change computes the next due
time at once, in the server's time zone, so the schedule row always says when the next digest
goes out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from bot.domain.clock import Clock, now_ms
from bot.domain.digests import DigestSchedule, first_due_ms, zone
from bot.store.interface import DigestStore


class DigestConfig:
    def __init__(
        self, store: DigestStore, *, clock: Clock = now_ms, on_change: Callable[[], None]
    ) -> None:
        """``on_change``: wakes this process's scheduler, whose next due time may be sooner."""
        self._store = store
        self._clock = clock
        self._on_change = on_change

    async def get(self, guild_id: int) -> DigestSchedule:
        """The server's schedule; the default one, due at its next time, when it has none."""
        saved = await self._store.digest_schedule(guild_id)
        if saved is not None:
            return saved
        default = DigestSchedule(guild_id)
        return dataclasses.replace(default, due_at_ms=first_due_ms(default, self._clock()))

    async def set_time(
        self, guild_id: int, weekday: int, hour: int, timezone: str
    ) -> DigestSchedule:
        """On, at that weekday and hour in that IANA time zone (UnknownTimeZone otherwise)."""
        zone(timezone)
        current = await self.get(guild_id)
        chosen = dataclasses.replace(
            current, enabled=True, weekday=weekday, hour=hour, timezone=timezone
        )
        return await self._save(chosen)

    async def set_enabled(self, guild_id: int, enabled: bool) -> DigestSchedule:
        return await self._save(dataclasses.replace(await self.get(guild_id), enabled=enabled))

    async def _save(self, schedule: DigestSchedule) -> DigestSchedule:
        now = self._clock()
        saved = dataclasses.replace(schedule, due_at_ms=first_due_ms(schedule, now))
        await self._store.save_digest_schedule(saved, now)
        self._on_change()
        return saved
