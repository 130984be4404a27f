"""Moderator alerts in SQLite: one per session (one per follow), acknowledged once, re-pinged
once; the re-ping is claimed in the single writer."""

from __future__ import annotations

import sqlite3

from bot.domain.server_records import AlertRecord
from bot.store.alert_sql import (
    CLAIM_REPING,
    FINISH_REPING,
    RELEASE_REPING,
    REPING_CLAIMABLE,
    SELECT_FOLLOW_ALERT,
)
from bot.store.rows import ALERT_COLUMNS, alert_from_row, alert_values
from bot.store.sqlite.tables import Tables
from bot.store.statements import ACKNOWLEDGE_ALERT, RECORD_ALERT, SELECT_ALERT

DUE_REPINGS = (
    f"SELECT {ALERT_COLUMNS} FROM alerts WHERE {REPING_CLAIMABLE} ORDER BY reping_at LIMIT ?"
)
NEXT_REPING_DUE = (
    "SELECT MIN(MAX(reping_at, reping_lease_until)) FROM alerts"
    " WHERE reping_at IS NOT NULL AND message_id IS NOT NULL AND acknowledged_by IS NULL"
)


class AlertTables(Tables):
    async def record_alert(self, alert: AlertRecord) -> None:
        await self._run(RECORD_ALERT, alert_values(alert))

    async def get_alert(self, convo_id: str) -> AlertRecord | None:
        row = await self._fetch_one(SELECT_ALERT, (convo_id,))
        return None if row is None else alert_from_row(row)

    async def follow_alert(self, follow_id: int) -> AlertRecord | None:
        row = await self._fetch_one(SELECT_FOLLOW_ALERT, (follow_id,))
        return None if row is None else alert_from_row(row)

    async def acknowledge_alert(self, convo_id: str, user_id: int, now_ms: int) -> bool:
        return await self._run(ACKNOWLEDGE_ALERT, (user_id, now_ms, convo_id)) == 1

    async def claim_due_repings(self, now_ms: int, lease_ms: int, limit: int) -> list[AlertRecord]:
        def write(db: sqlite3.Connection) -> list[AlertRecord]:
            due = [alert_from_row(row) for row in db.execute(DUE_REPINGS, (now_ms, now_ms, limit))]
            db.executemany(CLAIM_REPING, [(now_ms + lease_ms, a.convo_id) for a in due])
            return due

        return await self._write(write)

    async def finish_reping(self, convo_id: str) -> None:
        await self._run(FINISH_REPING, (convo_id,))

    async def release_reping(self, convo_id: str) -> None:
        await self._run(RELEASE_REPING, (convo_id,))

    async def next_reping_due_ms(self) -> int | None:
        return await self._fetch_int(NEXT_REPING_DUE, ())
