"""Moderator alerts in SQLite: one per session, acknowledged once."""

from __future__ import annotations

from bot.domain.server_records import AlertRecord
from bot.store.rows import alert_from_row, alert_values
from bot.store.sqlite.tables import Tables
from bot.store.statements import ACKNOWLEDGE_ALERT, RECORD_ALERT, SELECT_ALERT


class AlertTables(Tables):
    async def record_alert(self, alert: AlertRecord) -> None:
        await self._run(RECORD_ALERT, alert_values(alert))

    async def get_alert(self, convo_id: str) -> AlertRecord | None:
        row = await self._fetch_one(SELECT_ALERT, (convo_id,))
        return None if row is None else alert_from_row(row)

    async def acknowledge_alert(self, convo_id: str, user_id: int, now_ms: int) -> bool:
        return await self._run(ACKNOWLEDGE_ALERT, (user_id, now_ms, convo_id)) == 1
