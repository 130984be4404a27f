"""Admission in SQLite: the dedupe window, the member cooldown and the per-server cap.

Each is decided inside one call of the single writer, which reads through its own connection in
its ``BEGIN IMMEDIATE`` transaction: no other write, from this process or another, comes between
a count and the row that relies on it.
"""

from __future__ import annotations

import sqlite3

from bot.domain.refusals import ServerBusy, TooSoon
from bot.store.sqlite.tables import Tables
from bot.store.statements import (
    CLAIM_STREAM,
    DROP_EXPIRED_HOLDS,
    HELD_CLAIM,
    HOLD_SLOT,
    SELECT_COOLDOWN,
    TAKE_COOLDOWN,
    TAKEN_SLOTS,
)


class AdmissionTables(Tables):
    async def claim_stream(
        self, guild_id: int, url: str, now_ms: int, window_ms: int, *, claimed_by: int
    ) -> int | None:
        values = (guild_id, url, now_ms, claimed_by, now_ms - window_ms)

        def write(db: sqlite3.Connection) -> int | None:
            row = db.execute(CLAIM_STREAM, values).fetchone()
            return None if row is None else int(row[0])

        return await self._write(write)

    async def held_claim(self, guild_id: int, url: str, claimed_by: int) -> int | None:
        return await self._fetch_int(HELD_CLAIM, (guild_id, url, claimed_by))

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
        def write(db: sqlite3.Connection) -> TooSoon | ServerBusy | None:
            # Every check before any write: a refusal leaves the database as it found it.
            # No cooldown means none: not even a start stamped a moment "later" by a process
            # whose clock runs ahead.
            last = db.execute(SELECT_COOLDOWN, (user_id,)).fetchone() if cooldown_ms > 0 else None
            if last is not None and now_ms - last[0] < cooldown_ms:
                return TooSoon((last[0] + cooldown_ms - now_ms) / 1000)
            if guild_id is not None:
                (taken,) = db.execute(TAKEN_SLOTS, (guild_id, guild_id, now_ms)).fetchone()
                if taken >= guild_cap:
                    return ServerBusy(guild_cap)
            if cooldown_ms > 0:
                stamped = db.execute(TAKE_COOLDOWN, (user_id, now_ms, now_ms - cooldown_ms))
                if stamped.fetchone() is None:  # not after the check above, with one writer
                    return TooSoon(cooldown_ms / 1000)
            if guild_id is not None:
                db.execute(DROP_EXPIRED_HOLDS, (guild_id, now_ms))
                db.execute(HOLD_SLOT, (hold_convo_id, guild_id, now_ms + hold_ms, hold_convo_id))
            return None

        return await self._write(write)
