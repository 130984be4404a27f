"""SQL for a follow's one alert and the single re-ping, shared by both backends (``?`` marks;
PostgreSQL numbers them)."""

from __future__ import annotations

from bot.store.rows import ALERT_COLUMNS

SELECT_FOLLOW_ALERT = f"SELECT {ALERT_COLUMNS} FROM alerts WHERE follow_id = ?"
# Due, not leased by another process, posted (there is something to re-ping about) and unheeded.
REPING_CLAIMABLE = (
    "reping_at IS NOT NULL AND reping_at <= ? AND reping_lease_until <= ?"
    " AND message_id IS NOT NULL AND acknowledged_by IS NULL"
)
CLAIM_REPING = "UPDATE alerts SET reping_lease_until = ? WHERE convo_id = ?"
FINISH_REPING = "UPDATE alerts SET reping_at = NULL WHERE convo_id = ?"
RELEASE_REPING = "UPDATE alerts SET reping_lease_until = 0 WHERE convo_id = ?"
