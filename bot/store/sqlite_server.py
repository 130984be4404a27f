"""The SQLite tables of server features: settings, watched channels, follows, alerts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

import aiosqlite

from bot.domain.convo_ids import Trigger
from bot.domain.records import SessionRecord, SessionSource
from bot.domain.server_records import AlertRecord, Follow, FollowState, GuildSettings
from bot.domain.tags import parse_tags
from bot.store.rows import SESSION_COLUMNS, origin_from_row, origin_values, session_from_row
from bot.store.writer import GroupCommitWriter

FOLLOW_COLUMNS = (
    "id, stream_url, source, state, samples, interval_ms, next_sample_at, ends_at, created_at,"
    " guild_id, channel_id, requester_id, origin_message_id, seed, trigger_id, trigger_position,"
    " trigger_round, timeline_channel_id, timeline_message_id, stop_reason"
)
ALERT_COLUMNS = (
    "convo_id, guild_id, channel_id, matched, created_at, message_id, acknowledged_by,"
    " acknowledged_at"
)


def follow_from_row(row: Sequence[Any]) -> Follow:
    return Follow(
        row[0],
        row[1],
        SessionSource(row[2]),
        FollowState(row[3]),
        row[4],
        row[5],
        row[6],
        row[7],
        row[8],
        origin=origin_from_row(row[9:13], seed=row[13]),
        trigger=Trigger(*row[14:17]),
        timeline_channel_id=row[17],
        timeline_message_id=row[18],
        stop_reason=row[19],
    )


def alert_from_row(row: Sequence[Any]) -> AlertRecord:
    return AlertRecord(row[0], row[1], row[2], parse_tags(row[3]), *row[4:])


class GuildTables:
    """Mixed into SQLiteStore: shares its writer (group commit) and its read connection."""

    _writer: GroupCommitWriter

    async def _fetch(self, sql: str, params: tuple[Any, ...]) -> Iterable[aiosqlite.Row]:
        raise NotImplementedError

    async def _run(self, sql: str, params: tuple[Any, ...]) -> int:
        def write(db: sqlite3.Connection) -> int:
            return db.execute(sql, params).rowcount

        rowcount: int = await self._writer.write(write)
        return rowcount

    # -- settings ---------------------------------------------------------------------------

    async def guild_settings(self, guild_id: int) -> GuildSettings:
        rows = list(
            await self._fetch(
                "SELECT results_channel_id, seed, alert_channel_id, alert_role_id, alert_tags,"
                " alert_undocumented, alert_errors, autotag_interval_minutes"
                " FROM guild_settings WHERE guild_id = ?",
                (guild_id,),
            )
        )
        channels = await self.autotag_channels(guild_id)
        if not rows:
            return GuildSettings(guild_id, autotag_channel_ids=channels)
        row = rows[0]
        return GuildSettings(
            guild_id,
            results_channel_id=row[0],
            seed=row[1],
            alert_channel_id=row[2],
            alert_role_id=row[3],
            alert_tags=parse_tags(row[4]),
            alert_undocumented=bool(row[5]),
            alert_errors=bool(row[6]),
            autotag_interval_minutes=row[7],
            autotag_channel_ids=channels,
        )

    async def save_guild_settings(self, settings: GuildSettings, now_ms: int) -> None:
        await self._run(
            "INSERT INTO guild_settings (guild_id, results_channel_id, seed, alert_channel_id,"
            " alert_role_id, alert_tags, alert_undocumented, alert_errors,"
            " autotag_interval_minutes, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (guild_id) DO UPDATE SET"
            " results_channel_id = excluded.results_channel_id,"
            " seed = excluded.seed, alert_channel_id = excluded.alert_channel_id,"
            " alert_role_id = excluded.alert_role_id, alert_tags = excluded.alert_tags,"
            " alert_undocumented = excluded.alert_undocumented,"
            " alert_errors = excluded.alert_errors,"
            " autotag_interval_minutes = excluded.autotag_interval_minutes,"
            " updated_at = excluded.updated_at",
            (
                settings.guild_id,
                settings.results_channel_id,
                settings.seed,
                settings.alert_channel_id,
                settings.alert_role_id,
                ",".join(settings.alert_tags),
                int(settings.alert_undocumented),
                int(settings.alert_errors),
                settings.autotag_interval_minutes,
                now_ms,
            ),
        )

    async def autotag_channels(self, guild_id: int) -> tuple[int, ...]:
        rows = await self._fetch(
            "SELECT channel_id FROM autotag_channels WHERE guild_id = ? ORDER BY added_at",
            (guild_id,),
        )
        return tuple(int(row[0]) for row in rows)

    async def set_autotag_channel(
        self, guild_id: int, channel_id: int, watched: bool, now_ms: int
    ) -> bool:
        """Returns whether anything changed."""
        if watched:
            sql = (
                "INSERT INTO autotag_channels (guild_id, channel_id, added_at) VALUES (?, ?, ?)"
                " ON CONFLICT (guild_id, channel_id) DO NOTHING"
            )
            return await self._run(sql, (guild_id, channel_id, now_ms)) == 1
        sql = "DELETE FROM autotag_channels WHERE guild_id = ? AND channel_id = ?"
        return await self._run(sql, (guild_id, channel_id)) == 1

    async def is_autotag_channel(self, guild_id: int, channel_id: int) -> bool:
        rows = list(
            await self._fetch(
                "SELECT 1 FROM autotag_channels WHERE guild_id = ? AND channel_id = ?",
                (guild_id, channel_id),
            )
        )
        return bool(rows)

    async def claim_stream(
        self, guild_id: int, url: str, now_ms: int, window_ms: int
    ) -> int | None:
        """The claim's round (1 for the first ever) when this is the first claim of this URL in
        this server within the window, else None."""

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

        claimed: int | None = await self._writer.write(write)
        return claimed

    # -- follows ----------------------------------------------------------------------------

    async def create_follow(self, follow: Follow) -> int:
        def write(db: sqlite3.Connection) -> int:
            cursor = db.execute(
                "INSERT INTO follows (stream_url, source, state, samples, interval_ms,"
                " next_sample_at, ends_at, created_at, guild_id, channel_id, requester_id,"
                " origin_message_id, seed, trigger_id, trigger_position, trigger_round,"
                " timeline_channel_id, timeline_message_id, stop_reason, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    follow.stream_url,
                    follow.source.value,
                    follow.state.value,
                    follow.samples,
                    follow.interval_ms,
                    follow.next_sample_at_ms,
                    follow.ends_at_ms,
                    follow.created_at_ms,
                    *origin_values(follow.origin),
                    follow.trigger.snowflake,
                    follow.trigger.position,
                    follow.trigger.round,
                    follow.timeline_channel_id,
                    follow.timeline_message_id,
                    follow.stop_reason,
                    follow.created_at_ms,
                ),
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid

        follow_id: int = await self._writer.write(write)
        return follow_id

    async def get_follow(self, follow_id: int) -> Follow | None:
        rows = list(
            await self._fetch(f"SELECT {FOLLOW_COLUMNS} FROM follows WHERE id = ?", (follow_id,))
        )
        return follow_from_row(rows[0]) if rows else None

    async def due_follows(self, now_ms: int, limit: int) -> list[Follow]:
        rows = await self._fetch(
            f"SELECT {FOLLOW_COLUMNS} FROM follows WHERE state = ? AND next_sample_at <= ?"
            " ORDER BY next_sample_at LIMIT ?",
            (FollowState.ACTIVE.value, now_ms, limit),
        )
        return [follow_from_row(row) for row in rows]

    async def next_follow_due_ms(self) -> int | None:
        rows = list(
            await self._fetch(
                "SELECT MIN(next_sample_at) FROM follows WHERE state = ?",
                (FollowState.ACTIVE.value,),
            )
        )
        return None if rows[0][0] is None else int(rows[0][0])

    async def channel_follows(self, channel_id: int) -> list[Follow]:
        rows = await self._fetch(
            f"SELECT {FOLLOW_COLUMNS} FROM follows WHERE channel_id = ? AND state = ? ORDER BY id",
            (channel_id, FollowState.ACTIVE.value),
        )
        return [follow_from_row(row) for row in rows]

    async def record_sample(self, follow_id: int, next_sample_at_ms: int, now_ms: int) -> None:
        await self._run(
            "UPDATE follows SET samples = samples + 1, next_sample_at = ?, updated_at = ?"
            " WHERE id = ?",
            (next_sample_at_ms, now_ms, follow_id),
        )

    async def postpone_follow(self, follow_id: int, next_sample_at_ms: int) -> None:
        await self._run(
            "UPDATE follows SET next_sample_at = ? WHERE id = ?", (next_sample_at_ms, follow_id)
        )

    async def end_follow(
        self, follow_id: int, state: FollowState, reason: str, now_ms: int
    ) -> bool:
        """Only an active follow ends, once; returns whether this call ended it."""
        return (
            await self._run(
                "UPDATE follows SET state = ?, stop_reason = ?, updated_at = ?"
                " WHERE id = ? AND state = ?",
                (state.value, reason, now_ms, follow_id, FollowState.ACTIVE.value),
            )
            == 1
        )

    async def set_timeline_message(self, follow_id: int, channel_id: int, message_id: int) -> None:
        await self._run(
            "UPDATE follows SET timeline_channel_id = ?, timeline_message_id = ? WHERE id = ?",
            (channel_id, message_id, follow_id),
        )

    async def set_follow_origin(self, follow_id: int, message_id: int) -> None:
        await self._run(
            "UPDATE follows SET origin_message_id = ? WHERE id = ? AND origin_message_id IS NULL",
            (message_id, follow_id),
        )

    async def follow_sessions(self, follow_id: int) -> list[SessionRecord]:
        rows = await self._fetch(
            f"SELECT {SESSION_COLUMNS} FROM sessions WHERE follow_id = ? ORDER BY created_at",
            (follow_id,),
        )
        return [session_from_row(row) for row in rows]

    # -- alerts -----------------------------------------------------------------------------

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
        rows = list(
            await self._fetch(f"SELECT {ALERT_COLUMNS} FROM alerts WHERE convo_id = ?", (convo_id,))
        )
        return alert_from_row(rows[0]) if rows else None

    async def acknowledge_alert(self, convo_id: str, user_id: int, now_ms: int) -> bool:
        """The first acknowledgement wins; later clicks change nothing."""
        return (
            await self._run(
                "UPDATE alerts SET acknowledged_by = ?, acknowledged_at = ?"
                " WHERE convo_id = ? AND acknowledged_by IS NULL",
                (user_id, now_ms, convo_id),
            )
            == 1
        )
