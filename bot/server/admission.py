"""Fair use: a per-member cooldown and a per-server cap on sessions running at once.

Both live in the store and are decided there in one transaction (``AdmissionStore.admit``), so
they hold across restarts and across several bot processes sharing a database. An admitted
request holds a slot in its server, keyed by the convoId it will use, until its session row
exists (``create_session`` swaps the hold for the row) or the hold expires; so two ``/tag``
commands arriving together cannot both take a server's last slot while neither has started.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.clock import now_ms
from bot.store.interface import AdmissionStore

# How long a slot stays held for a request that was admitted but never started its session
# (its process died, or Discord's interaction expired before the defer).
HOLD_S = 60.0


class TagGate:
    def __init__(
        self,
        store: AdmissionStore,
        *,
        cooldown_s: float,
        guild_cap: int,
        hold_s: float = HOLD_S,
        clock: Callable[[], int] = now_ms,
    ) -> None:
        self._store = store
        self._cooldown_ms = int(cooldown_s * 1000)
        self._guild_cap = guild_cap
        self._hold_ms = int(hold_s * 1000)
        self._clock = clock

    async def admit(self, user_id: int, guild_id: int | None, hold_convo_id: str) -> None:
        """Raise TooSoon or ServerBusy if this member or server must wait; otherwise count the
        start and hold the server's slot for the session ``hold_convo_id``."""
        refusal = await self._store.admit(
            user_id,
            guild_id,
            hold_convo_id,
            now_ms=self._clock(),
            cooldown_ms=self._cooldown_ms,
            guild_cap=self._guild_cap,
            hold_ms=self._hold_ms,
        )
        if refusal is not None:
            raise refusal
