"""The statements behind bot/store/interface/upkeep.py, written once for both backends
(``?`` placeholders; the PostgreSQL tables number them)."""

from __future__ import annotations

from bot.store.rows import FOLLOW_COLUMNS
from bot.store.statements import ACTIVE

NOTE_CONFIG_CHANNEL = (
    "INSERT INTO config_notices (guild_id, config_channel_id, updated_at) VALUES (?, ?, ?)"
    " ON CONFLICT (guild_id) DO UPDATE SET config_channel_id = excluded.config_channel_id,"
    " updated_at = excluded.updated_at"
)
CONFIG_CHANNEL = "SELECT config_channel_id FROM config_notices WHERE guild_id = ?"
CLAIM_CONFIG_NOTICE = (
    "INSERT INTO config_notices (guild_id, notified, updated_at) VALUES (?, ?, ?)"
    " ON CONFLICT (guild_id) DO UPDATE SET notified = excluded.notified,"
    " updated_at = excluded.updated_at WHERE config_notices.notified <> excluded.notified"
    " RETURNING guild_id"
)
WAIT_FOR_SLOT = (
    "INSERT INTO slot_waits (follow_id, guild_id, since) VALUES (?, ?, ?)"
    " ON CONFLICT (follow_id) DO NOTHING"
)
SLOT_TAKEN = "DELETE FROM slot_waits WHERE follow_id = ?"
# A follow that ended while waiting no longer waits, whatever its row says.
WAITING_FOR_SLOT = (
    "SELECT COUNT(*) FROM slot_waits JOIN follows ON follows.id = slot_waits.follow_id"
    f" WHERE slot_waits.guild_id = ? AND follows.{ACTIVE}"
)
FIRST_WAITING_FOR_SLOT = (
    "SELECT slot_waits.follow_id FROM slot_waits JOIN follows ON follows.id = slot_waits.follow_id"
    f" WHERE slot_waits.guild_id = ? AND follows.{ACTIVE}"
    " ORDER BY slot_waits.since, slot_waits.follow_id LIMIT 1"
)
GUILD_FOLLOWS = f"SELECT {FOLLOW_COLUMNS} FROM follows WHERE guild_id = ? AND {ACTIVE} ORDER BY id"
