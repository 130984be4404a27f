"""The SQL both backends share for history by tag and weekly digests, and their rows.

Kept beside ``statements.py`` (same ``?`` placeholders, numbered for PostgreSQL at import) rather
than in it, as one concern: the digest's schedule and the reads of a server's week. What differs
between the backends (the lease's row locks, a list of channels, ``MAX`` against ``GREATEST``)
stays in each backend's ``digests.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.domain.digests import DEFAULT_HOUR, DEFAULT_TIMEZONE, DEFAULT_WEEKDAY, DigestSchedule
from bot.domain.records import SessionState
from bot.store.rows import ALERT_COLUMNS, SESSION_COLUMNS

DIGEST_COLUMNS = (
    "guild_id, enabled, weekday, hour, timezone, due_at, attempts, first_attempt_at,"
    " last_due_at, message_id, last_error"
)
HEARD = f"state = '{SessionState.COMPLETED.value}' AND tags IS NOT NULL AND tags <> ''"
# What a digest may take: enabled, due, and no other process's lease running.
CLAIMABLE = "enabled = 1 AND due_at <= ? AND lease_until <= ?"

SELECT_DIGEST = f"SELECT {DIGEST_COLUMNS} FROM digests WHERE guild_id = ?"
# A changed schedule is a new digest: whatever was in flight for the old due time is dropped.
SAVE_DIGEST = (
    "INSERT INTO digests (guild_id, enabled, weekday, hour, timezone, due_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET"
    " enabled = excluded.enabled, weekday = excluded.weekday, hour = excluded.hour,"
    " timezone = excluded.timezone, due_at = excluded.due_at, updated_at = excluded.updated_at,"
    " lease_until = 0, attempts = 0, first_attempt_at = NULL"
)
# The WHERE is also what SQLite needs to read ON CONFLICT after a SELECT as the upsert's.
SEED_DIGESTS = (
    "INSERT INTO digests (guild_id, enabled, weekday, hour, timezone, due_at, updated_at)"
    f" SELECT guild_id, 1, {DEFAULT_WEEKDAY}, {DEFAULT_HOUR}, '{DEFAULT_TIMEZONE}', ?, ?"
    " FROM guild_settings WHERE (results_channel_id IS NOT NULL OR alert_channel_id IS NOT NULL)"
    " AND guild_id NOT IN (SELECT guild_id FROM digests) ON CONFLICT (guild_id) DO NOTHING"
)
# ``first_attempt_at`` is set by the first claim of a due time only (bot/store/interface/).
CLAIM_SET = (
    "lease_until = ?, attempts = attempts + 1, first_attempt_at = COALESCE(first_attempt_at, ?)"
)
# ``last_due_at = due_at`` reads the row as it was before this statement, in both backends.
FINISH_DIGEST = (
    "UPDATE digests SET due_at = ?, last_due_at = due_at, message_id = ?, last_error = ?,"
    " lease_until = 0, attempts = 0, first_attempt_at = NULL WHERE guild_id = ? AND due_at = ?"
)
RETRY_DIGEST = (
    "UPDATE digests SET lease_until = ?, last_error = ? WHERE guild_id = ? AND due_at = ?"
)
RELEASE_DIGEST = "UPDATE digests SET lease_until = 0 WHERE guild_id = ? AND due_at = ?"

GUILD_SESSIONS_BETWEEN = (
    f"SELECT {SESSION_COLUMNS} FROM sessions WHERE guild_id = ? AND created_at >= ?"
    f" AND created_at < ? AND {HEARD} ORDER BY created_at, convo_id"
)
GUILD_ALERTS_BETWEEN = (
    f"SELECT {ALERT_COLUMNS} FROM alerts WHERE guild_id = ? AND created_at >= ?"
    " AND created_at < ? ORDER BY created_at, convo_id"
)


def tag_history_sql(in_channels: str) -> str:
    """The history of one tag: ``in_channels`` is the backend's test of ``channel_id`` against
    a list given as one parameter, after the guild and the tag's pattern."""
    return (
        f"SELECT {SESSION_COLUMNS} FROM sessions WHERE guild_id = ? AND {HEARD}"
        f" AND LOWER(',' || tags || ',') LIKE ? ESCAPE '\\' AND {in_channels}"
        " ORDER BY created_at DESC, convo_id LIMIT ? OFFSET ?"
    )


def tag_pattern(tag: str) -> str:
    """A LIKE pattern matching ``tag`` as one whole item of a stored comma-joined list."""
    escaped = tag.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%,{escaped},%"


def schedule_values(schedule: DigestSchedule, now_ms: int) -> tuple[Any, ...]:
    """The values of ``SAVE_DIGEST``, in its order."""
    return (
        schedule.guild_id,
        int(schedule.enabled),
        schedule.weekday,
        schedule.hour,
        schedule.timezone,
        schedule.due_at_ms,
        now_ms,
    )


def digest_from_row(row: Sequence[Any]) -> DigestSchedule:
    return DigestSchedule(row[0], bool(row[1]), *row[2:])
