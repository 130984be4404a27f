"""The SQL both backends share for the undocumented-tag radar, and its rows.

Kept beside ``statements.py`` (same ``?`` placeholders, numbered for PostgreSQL at import) as one
concern; both backends run these as written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.domain.radar import RadarEntry

RECORD_SIGHTING = (
    "INSERT INTO radar_sightings (guild_id, tag_key, tag, convo_id, heard_at)"
    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, tag_key, convo_id) DO NOTHING"
)
RADAR = (
    "SELECT MIN(tag), COUNT(*), MAX(heard_at) FROM radar_sightings WHERE guild_id = ?"
    " GROUP BY tag_key ORDER BY COUNT(*) DESC, MAX(heard_at) DESC, tag_key LIMIT ?"
)


def entry_from_row(row: Sequence[Any]) -> RadarEntry:
    return RadarEntry(row[0], int(row[1]), int(row[2]))
