"""Fair use: a per-member cooldown and a per-server cap on sessions running at once.

Both live in the store and are decided there in one transaction (``AdmissionStore.admit``), so
they hold across restarts and across several bot processes sharing a database. An admitted
request holds a slot in its server, keyed by the convoId it will use, until its session row
exists (``create_session`` swaps the hold for the row) or the hold expires; so two ``/tag``
commands arriving together cannot both take a server's last slot while neither has started.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from bot.domain.clock import now_ms
from bot.domain.server_records import Follow
from bot.store.interface import AdmissionStore, SlotWaitStore

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

    async def admit_automatic(self, guild_id: int, hold_convo_id: str) -> bool:
        """The server's cap alone (no member, no cooldown): whether a slot was held."""
        refusal = await self._store.admit(
            0,
            guild_id,
            hold_convo_id,
            now_ms=self._clock(),
            cooldown_ms=0,
            guild_cap=self._guild_cap,
            hold_ms=self._hold_ms,
        )
        return refusal is None


class AutomaticSlotStore(SlotWaitStore, Protocol):
    """Follows marked while they wait for a slot."""


class AutomaticSlots:
    """Automatic work (an announcement's follow, each sample of a followed stream) counts
    towards the server's cap like a member's ``/tag``: over it, the sample waits, marked in the
    store so that ``/chatsight-config show`` can say how many wait.

    Waiting follows are served in the order they began waiting. Without that, a followed stream
    whose next sample falls due just as its last one ends takes the slot it freed every time,
    while an announcement that looks again every few seconds is never there at that moment and
    waits until its dedupe window drops it."""

    def __init__(
        self,
        store: AutomaticSlotStore,
        gate: TagGate,
        *,
        wait_limit_s: float,
        clock: Callable[[], int] = now_ms,
    ) -> None:
        """``wait_limit_s``: how long an announcement not yet sampled waits at most (its dedupe
        window, after which the same stream may be announced and claimed again)."""
        self._store = store
        self._gate = gate
        self._wait_limit_ms = int(wait_limit_s * 1000)
        self._clock = clock

    async def take(self, follow: Follow, convo_id: str) -> bool:
        """Whether the sample ``convo_id`` of ``follow`` may start now; else it waits."""
        guild_id = follow.origin.guild_id
        if guild_id is None:
            return True
        first = await self._store.first_waiting_for_slot(guild_id)
        if first in (None, follow.id) and await self._gate.admit_automatic(guild_id, convo_id):
            await self._store.slot_taken(follow.id)
            return True
        await self._store.wait_for_slot(follow.id, guild_id, self._clock())
        return False

    def waited_too_long(self, follow: Follow) -> bool:
        """An announcement that never got a slot within its dedupe window is dropped."""
        return follow.samples == 0 and self._clock() - follow.created_at_ms >= self._wait_limit_ms
