"""Moderator alerts in SQLite: one per session, acknowledged once."""

from __future__ import annotations

from bot.domain.server_records import AlertRecord
from bot.store.rows import ALERT_COLUMNS, alert_from_row
from bot.store.sqlite.tables import Tables


class AlertTables(Tables):
    async def record_alert(self, alert: AlertRecord) -> None:
        await self._run(
            "INSERT INTO alerts (convo_id, guild_id, channel_id, matched, created_at, message_id)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (convo_id) DO UPDATE"
            " SET message_id = excluded.message_id",
            (
                alert.convo_id,
                alert.guild_id,
                alert.channel_id,
                ",".join(alert.matched),
                alert.created_at_ms,
                alert.message_id,
            ),
        )

    async def get_alert(self, convo_id: str) -> AlertRecord | None:
        row = await self._fetch_one(
            f"SELECT {ALERT_COLUMNS} FROM alerts WHERE convo_id = ?", (convo_id,)
        )
        return None if row is None else alert_from_row(row)

    async def acknowledge_alert(self, convo_id: str, user_id: int, now_ms: int) -> bool:
        changed = await self._run(
            "UPDATE alerts SET acknowledged_by = ?, acknowledged_at = ?"
            " WHERE convo_id = ? AND acknowledged_by IS NULL",
            (user_id, now_ms, convo_id),
        )
        return changed == 1
