"""Fair use: a per-member cooldown and a per-server cap on sessions running at once.

The cooldown lives in memory (it only has to slow one person down on one process); the cap is
counted in the store, so it holds across restarts and across several bot processes.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.domain.refusals import ServerBusy, TooSoon
from bot.store.base import Store


class TagGate:
    def __init__(
        self,
        store: Store,
        *,
        cooldown_s: float,
        guild_cap: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._cooldown_s = cooldown_s
        self._guild_cap = guild_cap
        self._clock = clock
        self._last_start: dict[int, float] = {}

    async def admit(self, user_id: int, guild_id: int | None) -> None:
        """Raise if this member or server must wait; otherwise count the start."""
        now = self._clock()
        last = self._last_start.get(user_id)
        if last is not None and now - last < self._cooldown_s:
            raise TooSoon(self._cooldown_s - (now - last))
        if guild_id is not None and await self._store.count_awaiting(guild_id) >= self._guild_cap:
            raise ServerBusy(self._guild_cap)
        self._last_start[user_id] = now
        if len(self._last_start) > 10_000:
            self._forget_expired(now)

    def _forget_expired(self, now: float) -> None:
        self._last_start = {
            user: at for user, at in self._last_start.items() if now - at < self._cooldown_s
        }
