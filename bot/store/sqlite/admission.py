"""Admission in SQLite: the dedupe window, the member cooldown and the per-server cap.

Each is decided inside one call of the single writer, which reads through its own connection in
its ``BEGIN IMMEDIATE`` transaction: no other write, from this process or another, comes between
a count and the row that relies on it.
"""

from __future__ import annotations

import sqlite3

from bot.domain.refusals import ServerBusy, TooSoon
from bot.store.sqlite.sessions import AWAITING_IN_GUILD
from bot.store.sqlite.tables import Tables

# One statement, as PostgreSQL's READ COMMITTED needs it (one snapshot: interface.py).
TAKEN_SLOTS = (
    f"SELECT ({AWAITING_IN_GUILD}) + (SELECT COUNT(*) FROM admission_holds"
    " WHERE guild_id = ? AND expires_at > ?)"
)
# Stamps the cooldown only when it has run out; RETURNING says whether it did.
TAKE_COOLDOWN = (
    "INSERT INTO member_cooldowns (user_id, last_start_at) VALUES (?, ?)"
    " ON CONFLICT (user_id) DO UPDATE SET last_start_at = excluded.last_start_at"
    " WHERE member_cooldowns.last_start_at <= ? RETURNING last_start_at"
)
# A convoId whose session exists already counts as that session, never again as a hold.
HOLD_SLOT = (
    "INSERT INTO admission_holds (convo_id, guild_id, expires_at)"
    " SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM sessions WHERE convo_id = ?)"
    " ON CONFLICT (convo_id) DO UPDATE SET guild_id = excluded.guild_id,"
    " expires_at = excluded.expires_at"
)


class AdmissionTables(Tables):
    async def claim_stream(
        self, guild_id: int, url: str, now_ms: int, window_ms: int
    ) -> int | None:
        def write(db: sqlite3.Connection) -> int | None:
            row = db.execute(
                "INSERT INTO autotag_claims (guild_id, stream_url, claimed_at) VALUES (?, ?, ?)"
                " ON CONFLICT (guild_id, stream_url) DO UPDATE SET"
                " claimed_at = excluded.claimed_at, rounds = autotag_claims.rounds + 1"
                " WHERE autotag_claims.claimed_at <= ?"
                " RETURNING rounds",
                (guild_id, url, now_ms, now_ms - window_ms),
            ).fetchone()
            return None if row is None else int(row[0])

        return await self._write(write)

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
            last = db.execute(
                "SELECT last_start_at FROM member_cooldowns WHERE user_id = ?", (user_id,)
            ).fetchone()
            if last is not None and now_ms - last[0] < cooldown_ms:
                return TooSoon((last[0] + cooldown_ms - now_ms) / 1000)
            if guild_id is not None:
                (taken,) = db.execute(TAKEN_SLOTS, (guild_id, guild_id, now_ms)).fetchone()
                if taken >= guild_cap:
                    return ServerBusy(guild_cap)
            stamped = db.execute(TAKE_COOLDOWN, (user_id, now_ms, now_ms - cooldown_ms))
            if stamped.fetchone() is None:  # not after the check above, with one writer
                return TooSoon(cooldown_ms / 1000)
            if guild_id is not None:
                db.execute(
                    "DELETE FROM admission_holds WHERE guild_id = ? AND expires_at <= ?",
                    (guild_id, now_ms),
                )
                db.execute(HOLD_SLOT, (hold_convo_id, guild_id, now_ms + hold_ms, hold_convo_id))
            return None

        return await self._write(write)
