"""Admission in PostgreSQL: the dedupe window, the member cooldown and the per-server cap, each
decided in one statement or one transaction, so processes sharing the database agree.

The order inside ``admit`` is ``AdmissionStore``'s (bot/store/interface/server.py): the server's
row first (every admission there waits for it), then the member's cooldown, then one count of the
server's slots, then the hold. A refusal rolls back whatever the transaction did.
"""

from __future__ import annotations

from bot.domain.refusals import ServerBusy, TooSoon
from bot.store import statements
from bot.store.postgres.tables import Tables, numbered

CLAIM_STREAM = numbered(statements.CLAIM_STREAM)
HELD_CLAIM = numbered(statements.HELD_CLAIM)
SELECT_COOLDOWN = numbered(statements.SELECT_COOLDOWN)
TAKE_COOLDOWN = numbered(statements.TAKE_COOLDOWN)
TAKEN_SLOTS = numbered(statements.TAKEN_SLOTS)
DROP_EXPIRED_HOLDS = numbered(statements.DROP_EXPIRED_HOLDS)
HOLD_SLOT = numbered(statements.HOLD_SLOT)
# Creates or touches the server's row, and so locks it until the transaction ends.
LOCK_SERVER = (
    "INSERT INTO admission_locks (guild_id, locked_at) VALUES ($1, $2)"
    " ON CONFLICT (guild_id) DO UPDATE SET locked_at = excluded.locked_at"
)


class _Refused(Exception):
    """Raised inside ``admit``'s transaction to roll it back, carrying the refusal out."""

    def __init__(self, refusal: TooSoon | ServerBusy) -> None:
        super().__init__(refusal)
        self.refusal = refusal


class AdmissionTables(Tables):
    async def claim_stream(
        self, guild_id: int, url: str, now_ms: int, window_ms: int, *, claimed_by: int
    ) -> int | None:
        return await self._fetch_int(
            CLAIM_STREAM, guild_id, url, now_ms, claimed_by, now_ms - window_ms
        )

    async def held_claim(self, guild_id: int, url: str, claimed_by: int) -> int | None:
        return await self._fetch_int(HELD_CLAIM, guild_id, url, claimed_by)

    async def admit(
        self,
        user_id: int,
        guild_id: int | None,
        hold_convo_id: str,
        *,
        now_ms: int,
        cooldown_ms: int,
        guild_cap: int,
        hold_ms: int,
    ) -> TooSoon | ServerBusy | None:
        try:
            async with self._transaction() as db:
                if guild_id is not None:
                    await db.execute(LOCK_SERVER, guild_id, now_ms)
                # No cooldown means none, whatever another process's clock stamped.
                took = cooldown_ms <= 0 or await db.fetchrow(
                    TAKE_COOLDOWN, user_id, now_ms, now_ms - cooldown_ms
                )
                if not took:
                    last = int(await db.fetchval(SELECT_COOLDOWN, user_id))
                    raise _Refused(TooSoon((last + cooldown_ms - now_ms) / 1000))
                if guild_id is not None:
                    taken = await db.fetchval(TAKEN_SLOTS, guild_id, guild_id, now_ms)
                    if taken >= guild_cap:
                        raise _Refused(ServerBusy(guild_cap))
                    await db.execute(DROP_EXPIRED_HOLDS, guild_id, now_ms)
                    await db.execute(
                        HOLD_SLOT, hold_convo_id, guild_id, now_ms + hold_ms, hold_convo_id
                    )
        except _Refused as refused:
            return refused.refusal
        return None
