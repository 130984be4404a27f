"""Moderator alerts in PostgreSQL: one per session (one per follow), acknowledged once,
re-pinged once; the re-ping is claimed under row locks that concurrent claimers skip."""

from __future__ import annotations

from bot.domain.server_records import AlertRecord
from bot.store import statements
from bot.store.alert_sql import (
    FINISH_REPING,
    RELEASE_REPING,
    REPING_CLAIMABLE,
    SELECT_FOLLOW_ALERT,
)
from bot.store.postgres.tables import Tables, numbered
from bot.store.rows import ALERT_COLUMNS, alert_from_row, alert_values

RECORD_ALERT = numbered(statements.RECORD_ALERT)
SELECT_ALERT = numbered(statements.SELECT_ALERT)
ACKNOWLEDGE_ALERT = numbered(statements.ACKNOWLEDGE_ALERT)
FOLLOW_ALERT = numbered(SELECT_FOLLOW_ALERT)
FINISH = numbered(FINISH_REPING)
RELEASE = numbered(RELEASE_REPING)
# $1 lease, $2 now, $3 now, $4 limit; RETURNING shows each row as it was before the claim
# apart from its lease, which the caller does not read.
CLAIM_DUE = numbered(
    "UPDATE alerts SET reping_lease_until = ?"
    f" FROM (SELECT convo_id AS due_id FROM alerts WHERE {REPING_CLAIMABLE}"
    " ORDER BY reping_at LIMIT ? FOR UPDATE SKIP LOCKED) AS due"
    f" WHERE convo_id = due.due_id RETURNING {ALERT_COLUMNS}"
)
NEXT_REPING_DUE = (
    "SELECT MIN(GREATEST(reping_at, reping_lease_until)) FROM alerts"
    " WHERE reping_at IS NOT NULL AND message_id IS NOT NULL AND acknowledged_by IS NULL"
)


class AlertTables(Tables):
    async def record_alert(self, alert: AlertRecord) -> None:
        await self._run(RECORD_ALERT, *alert_values(alert))

    async def get_alert(self, convo_id: str) -> AlertRecord | None:
        row = await self._fetch_one(SELECT_ALERT, convo_id)
        return None if row is None else alert_from_row(row)

    async def follow_alert(self, follow_id: int) -> AlertRecord | None:
        row = await self._fetch_one(FOLLOW_ALERT, follow_id)
        return None if row is None else alert_from_row(row)

    async def acknowledge_alert(self, convo_id: str, user_id: int, now_ms: int) -> bool:
        return await self._run(ACKNOWLEDGE_ALERT, user_id, now_ms, convo_id) == 1

    async def claim_due_repings(self, now_ms: int, lease_ms: int, limit: int) -> list[AlertRecord]:
        rows = await self._fetch(CLAIM_DUE, now_ms + lease_ms, now_ms, now_ms, limit)
        return sorted((alert_from_row(row) for row in rows), key=lambda a: a.reping_at_ms or 0)

    async def finish_reping(self, convo_id: str) -> None:
        await self._run(FINISH, convo_id)

    async def release_reping(self, convo_id: str) -> None:
        await self._run(RELEASE, convo_id)

    async def next_reping_due_ms(self) -> int | None:
        return await self._fetch_int(NEXT_REPING_DUE)
