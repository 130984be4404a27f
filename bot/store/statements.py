"""The SQL both backends run as written: portable statements with ``?`` placeholders.

SQLite takes them as they are; PostgreSQL numbers the placeholders (``$1``, ``$2``, …) once, at
import (``bot/store/postgres/tables.py``), so no statement here may hold a ``?`` of its own.
What differs between the two (row locks, array parameters, ``MAX`` against ``GREATEST``, and the
order a transaction runs in) stays in each backend's module. States are literals, so both
planners can prove a query matches the partial indexes (SQLite migration 0003, PostgreSQL 0001).
The values each statement takes come from ``bot/store/rows.py``.
"""

from __future__ import annotations

from bot.domain.records import DeliveryState, SessionState
from bot.domain.server_records import FollowState
from bot.store.rows import (
    ALERT_COLUMNS,
    DELIVERY_COLUMNS,
    FOLLOW_COLUMNS,
    SESSION_COLUMNS,
    SETTINGS_COLUMNS,
)

AWAITING = f"state IN ('{SessionState.STARTING.value}', '{SessionState.RUNNING.value}')"
PENDING = f"state = '{DeliveryState.PENDING.value}'"
ACTIVE = f"state = '{FollowState.ACTIVE.value}'"

# -- sessions ---------------------------------------------------------------------------------

# A retried request takes its new token only while its session never got past starting.
CREATE_SESSION = (
    "INSERT INTO sessions (convo_id, stream_url, source, guild_id, channel_id,"
    " requester_id, origin_message_id, seed, deliveries, state, webhook_token_hash,"
    " created_at, updated_at, follow_id, streamer, stream_title, stream_thumbnail,"
    " stream_category) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (convo_id) DO UPDATE SET webhook_token_hash ="
    " excluded.webhook_token_hash, updated_at = excluded.updated_at"
    f" WHERE sessions.state = '{SessionState.STARTING.value}'"
)
# The session row now counts against the server's cap: its admission hold no longer.
DROP_HOLD = "DELETE FROM admission_holds WHERE convo_id = ?"
COMPLETE_SESSION = (
    "UPDATE sessions SET state = ?, tags = ?, undocumented = ?, error = ?,"
    " completed_at = ?, updated_at = ? WHERE convo_id = ?"
)
# What the resolved page told of the stream replaces what was known; None keeps it.
MARK_RUNNING = (
    f"UPDATE sessions SET state = '{SessionState.RUNNING.value}', updated_at = ?,"
    " streamer = COALESCE(?, streamer), stream_title = COALESCE(?, stream_title),"
    " stream_thumbnail = COALESCE(?, stream_thumbnail),"
    " stream_category = COALESCE(?, stream_category)"
    f" WHERE convo_id = ? AND state = '{SessionState.STARTING.value}'"
)
SET_SESSION_ORIGIN = "UPDATE sessions SET origin_message_id = ? WHERE convo_id = ?"
SET_DELIVERIES_REPLY_TO = (
    "UPDATE deliveries SET reply_to_message_id = ? WHERE convo_id = ?"
    " AND reply_to_message_id IS NULL"
)
SELECT_SESSION = f"SELECT {SESSION_COLUMNS} FROM sessions WHERE convo_id = ?"
CHANNEL_SESSIONS = (
    f"SELECT {SESSION_COLUMNS} FROM sessions WHERE channel_id = ?"
    " ORDER BY created_at DESC, convo_id LIMIT ?"
)
# The two questions asked of awaiting sessions; one partial index serves both (migration 0004).
OVERDUE_SESSIONS = (
    f"SELECT {SESSION_COLUMNS} FROM sessions WHERE {AWAITING}"
    " AND created_at <= ? AND poll_lease_until <= ? ORDER BY created_at LIMIT ?"
)
# The unary plus keeps the planner off sessions_by_guild_time (migration 0011), which would read
# the guild's whole history for the few of its sessions still awaiting.
AWAITING_IN_GUILD = f"SELECT COUNT(*) FROM sessions WHERE +guild_id = ? AND {AWAITING}"

# -- the outbox -------------------------------------------------------------------------------

QUEUE_DELIVERY = (
    "INSERT INTO deliveries (convo_id, kind, state, next_attempt_at, channel_id,"
    " reply_to_message_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (convo_id, kind) DO NOTHING"
)
# How a row, a pack, or a pack's rows are settled: the same columns in both tables.
_DELIVERED = (
    f"SET state = '{DeliveryState.DELIVERED.value}', message_id = ?, delivered_at = ?,"
    " last_error = NULL, lease_until = 0"
)
_RETRY = "SET next_attempt_at = ?, last_error = ?, lease_until = 0"
_UNDELIVERABLE = (
    f"SET state = '{DeliveryState.UNDELIVERABLE.value}', last_error = ?, lease_until = 0"
)
# A row is settled, renewed or handed back only by the claim that holds it (``Delivery.claim``),
# and only while it is pending: a worker late with an answer cannot undo another's.
_HELD = f"WHERE id = ? AND attempts = ? AND {PENDING}"
MARK_DELIVERED = f"UPDATE deliveries {_DELIVERED} {_HELD}"
MARK_RETRY = f"UPDATE deliveries {_RETRY} {_HELD}"
MARK_UNDELIVERABLE = f"UPDATE deliveries {_UNDELIVERABLE} {_HELD}"
RELEASE_DELIVERY = f"UPDATE deliveries SET lease_until = 0, attempts = attempts - 1 {_HELD}"
# A renewal after its row was settled or given back for a retry (lease 0) changes nothing.
RENEW_DELIVERY = f"UPDATE deliveries SET lease_until = ? {_HELD} AND lease_until > 0"
RENEW_PACK = f"UPDATE delivery_packs SET lease_until = ? {_HELD} AND lease_until > 0"
DELIVERIES_FOR = f"SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE convo_id = ? ORDER BY id"
# The per-channel cap of a claim that asks for none (a claim's rows are numbered per channel).
UNCAPPED = 2**31 - 1

# -- packs: outbox rows posted as one message (OutboxStore.record_pack) ----------

# The send about to begin is the pack's first attempt, leased to the worker that recorded it.
NEW_PACK = (
    "INSERT INTO delivery_packs (channel_id, state, attempts, next_attempt_at, lease_until,"
    f" created_at) VALUES (?, '{DeliveryState.PENDING.value}', 1, ?, ?, ?) RETURNING id"
)
DROP_PACK = "DELETE FROM delivery_packs WHERE id = ?"
PACK_ROWS = f"SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE pack_id = ? ORDER BY id"
MARK_PACK_DELIVERED = f"UPDATE delivery_packs {_DELIVERED} WHERE id = ?"
MARK_PACKED_DELIVERED = f"UPDATE deliveries {_DELIVERED} WHERE pack_id = ?"
MARK_PACK_RETRY = f"UPDATE delivery_packs {_RETRY} WHERE id = ? AND {PENDING}"
# The rows keep their own schedule (their pack is claimed, not they), but show the error.
NOTE_PACKED_ERROR = "UPDATE deliveries SET last_error = ? WHERE pack_id = ?"
MARK_PACK_UNDELIVERABLE = f"UPDATE delivery_packs {_UNDELIVERABLE} WHERE id = ? AND {PENDING}"
MARK_PACKED_UNDELIVERABLE = f"UPDATE deliveries {_UNDELIVERABLE} WHERE pack_id = ? AND {PENDING}"

# -- secrets ----------------------------------------------------------------------------------

ADD_ROTATION = "INSERT INTO shared_secrets (secret, created_at) VALUES (?, ?)"
SELECT_ROTATIONS = "SELECT secret, created_at FROM shared_secrets ORDER BY created_at, id"

# -- server settings --------------------------------------------------------------------------

SELECT_SETTINGS = f"SELECT {SETTINGS_COLUMNS} FROM guild_settings WHERE guild_id = ?"
SELECT_CHANNELS = "SELECT channel_id FROM autotag_channels WHERE guild_id = ? ORDER BY added_at"
WATCHED_SINCE = "SELECT channel_id, added_at FROM autotag_channels WHERE guild_id = ?"
_SAVED = [*(name.strip() for name in SETTINGS_COLUMNS.split(",")), "updated_at"]
SAVE_SETTINGS = (
    f"INSERT INTO guild_settings (guild_id, {', '.join(_SAVED)})"
    f" VALUES (?, {', '.join('?' for _ in _SAVED)}) ON CONFLICT (guild_id) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name in _SAVED)
)
WATCH_CHANNEL = (
    "INSERT INTO autotag_channels (guild_id, channel_id, added_at) VALUES (?, ?, ?)"
    " ON CONFLICT (guild_id, channel_id) DO NOTHING"
)
UNWATCH_CHANNEL = "DELETE FROM autotag_channels WHERE guild_id = ? AND channel_id = ?"
IS_WATCHED = "SELECT 1 FROM autotag_channels WHERE guild_id = ? AND channel_id = ?"

# -- follows ----------------------------------------------------------------------------------

INSERT_FOLLOW = (
    "INSERT INTO follows (stream_url, source, state, samples, interval_ms,"
    " next_sample_at, ends_at, created_at, guild_id, channel_id, requester_id,"
    " origin_message_id, seed, trigger_id, trigger_position, trigger_round,"
    " timeline_channel_id, timeline_message_id, stop_reason, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (channel_id, trigger_id, trigger_position, trigger_round) DO NOTHING"
    " RETURNING id"
)
FOLLOW_OF_TRIGGER = (
    "SELECT id FROM follows"
    " WHERE channel_id = ? AND trigger_id = ? AND trigger_position = ? AND trigger_round = ?"
)
SELECT_FOLLOW = f"SELECT {FOLLOW_COLUMNS} FROM follows WHERE id = ?"
DUE_FOLLOWS = (
    f"SELECT {FOLLOW_COLUMNS} FROM follows WHERE {ACTIVE} AND next_sample_at <= ?"
    " ORDER BY next_sample_at, id LIMIT ?"
)
NEXT_FOLLOW_DUE = f"SELECT MIN(next_sample_at) FROM follows WHERE {ACTIVE}"
CHANNEL_FOLLOWS = (
    f"SELECT {FOLLOW_COLUMNS} FROM follows WHERE channel_id = ? AND {ACTIVE} ORDER BY id"
)
# Only while the follow is active and has taken ``samples`` (the count its caller read): of two
# callers taking the same sample at once, one counts it.
RECORD_SAMPLE = (
    "UPDATE follows SET samples = samples + 1, next_sample_at = ?, updated_at = ?"
    f" WHERE id = ? AND samples = ? AND {ACTIVE}"
)
POSTPONE_FOLLOW = "UPDATE follows SET next_sample_at = ? WHERE id = ?"
END_FOLLOW = (
    f"UPDATE follows SET state = ?, stop_reason = ?, updated_at = ? WHERE id = ? AND {ACTIVE}"
)
SET_TIMELINE = "UPDATE follows SET timeline_channel_id = ?, timeline_message_id = ? WHERE id = ?"
SET_FOLLOW_ORIGIN = (
    "UPDATE follows SET origin_message_id = ? WHERE id = ? AND origin_message_id IS NULL"
)
FOLLOW_SESSIONS = f"SELECT {SESSION_COLUMNS} FROM sessions WHERE follow_id = ? ORDER BY created_at"

# -- alerts -----------------------------------------------------------------------------------

RECORD_ALERT = (
    "INSERT INTO alerts (convo_id, guild_id, channel_id, matched, created_at, message_id,"
    " follow_id, reping_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (convo_id) DO UPDATE"
    " SET message_id = excluded.message_id"
)
SELECT_ALERT = f"SELECT {ALERT_COLUMNS} FROM alerts WHERE convo_id = ?"
ACKNOWLEDGE_ALERT = (
    "UPDATE alerts SET acknowledged_by = ?, acknowledged_at = ?"
    " WHERE convo_id = ? AND acknowledged_by IS NULL"
)

# -- admission --------------------------------------------------------------------------------

# Claims a URL only when the window has passed; RETURNING says whether it did, and which round.
CLAIM_STREAM = (
    "INSERT INTO autotag_claims (guild_id, stream_url, claimed_at, claimed_by) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (guild_id, stream_url) DO UPDATE SET claimed_at = excluded.claimed_at,"
    " claimed_by = excluded.claimed_by, rounds = autotag_claims.rounds + 1"
    " WHERE autotag_claims.claimed_at <= ?"
    " RETURNING rounds"
)
HELD_CLAIM = (
    "SELECT rounds FROM autotag_claims WHERE guild_id = ? AND stream_url = ? AND claimed_by = ?"
)
SELECT_COOLDOWN = "SELECT last_start_at FROM member_cooldowns WHERE user_id = ?"
# Stamps the cooldown only when it has run out; RETURNING says whether it did.
TAKE_COOLDOWN = (
    "INSERT INTO member_cooldowns (user_id, last_start_at) VALUES (?, ?)"
    " ON CONFLICT (user_id) DO UPDATE SET last_start_at = excluded.last_start_at"
    " WHERE member_cooldowns.last_start_at <= ? RETURNING last_start_at"
)
# One statement, as PostgreSQL's READ COMMITTED needs it (one snapshot: bot/store/interface/).
TAKEN_SLOTS = (
    f"SELECT ({AWAITING_IN_GUILD}) + (SELECT COUNT(*) FROM admission_holds"
    " WHERE guild_id = ? AND expires_at > ?)"
)
DROP_EXPIRED_HOLDS = "DELETE FROM admission_holds WHERE guild_id = ? AND expires_at <= ?"
# A convoId whose session exists already counts as that session, never again as a hold.
HOLD_SLOT = (
    "INSERT INTO admission_holds (convo_id, guild_id, expires_at)"
    " SELECT ?, ?, ?"
    " WHERE NOT EXISTS (SELECT 1 FROM sessions WHERE convo_id = ?)"
    " ON CONFLICT (convo_id) DO UPDATE SET guild_id = excluded.guild_id,"
    " expires_at = excluded.expires_at"
)

# -- the operator's reads: what /metrics exports of the shared state, what doctor checks --

STORE_FIGURES = (
    f"SELECT (SELECT COUNT(*) FROM deliveries WHERE {PENDING}),"
    f" (SELECT MIN(next_attempt_at) FROM deliveries WHERE {PENDING} AND next_attempt_at <= ?),"
    f" (SELECT COUNT(*) FROM follows WHERE {ACTIVE})"
)

CONFIGURED_GUILDS = (
    "SELECT guild_id FROM guild_settings UNION SELECT guild_id FROM autotag_channels ORDER BY 1"
)

# -- the deployment's id: made by whichever process asks first, the same for all after ---------

# DO UPDATE (to itself) rather than DO NOTHING, so RETURNING gives the id already there.
DEPLOYMENT_ID = (
    "INSERT INTO deployment (singleton, id) VALUES (1, ?)"
    " ON CONFLICT (singleton) DO UPDATE SET singleton = 1 RETURNING id"
)
