"""The SQL both backends share for members' tag subscriptions and their pings, and their rows.

Kept beside ``statements.py`` (same ``?`` placeholders, numbered for PostgreSQL at import) as one
concern. What differs between the backends (a list of keys or members as a parameter, the
advisory lock) stays in each backend's ``subscriptions.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.domain.subscriptions import PingBatch, PingedMember
from bot.domain.tags import parse_tags

IS_SUBSCRIBED = "SELECT 1 FROM subscriptions WHERE guild_id = ? AND user_id = ? AND tag_key = ?"
COUNT_SUBSCRIPTIONS = "SELECT COUNT(*) FROM subscriptions WHERE guild_id = ? AND user_id = ?"
SUBSCRIBE = (
    "INSERT INTO subscriptions (guild_id, user_id, tag_key, tag, created_at)"
    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id, tag_key) DO NOTHING"
)
UNSUBSCRIBE = "DELETE FROM subscriptions WHERE guild_id = ? AND user_id = ? AND tag_key = ?"
MEMBER_SUBSCRIPTIONS = (
    "SELECT tag FROM subscriptions WHERE guild_id = ? AND user_id = ? ORDER BY created_at, tag_key"
)
# The keys follow as each backend passes a list.
SUBSCRIBERS = "SELECT user_id, tag FROM subscriptions WHERE guild_id = ? AND tag_key"

SUBSCRIPTIONS_ENABLED = "SELECT enabled FROM subscription_settings WHERE guild_id = ?"
SET_SUBSCRIPTIONS_ENABLED = (
    "INSERT INTO subscription_settings (guild_id, enabled, updated_at) VALUES (?, ?, ?)"
    " ON CONFLICT (guild_id) DO UPDATE SET enabled = excluded.enabled,"
    " updated_at = excluded.updated_at"
)

NEW_BATCH = (
    "INSERT INTO ping_batches (convo_id, tags, created_at) VALUES (?, ?, ?)"
    " ON CONFLICT (convo_id) DO NOTHING"
)
SELECT_BATCH = "SELECT convo_id, tags, created_at FROM ping_batches WHERE convo_id = ?"
BATCH_MEMBERS = "SELECT user_id, message_id FROM pings WHERE convo_id = ? ORDER BY user_id"
# Values: scope, user, session; a member some session of the scope holds stays with it.
CLAIM_PING = (
    "INSERT INTO pings (scope, user_id, convo_id) VALUES (?, ?, ?)"
    " ON CONFLICT (scope, user_id) DO NOTHING"
)
# The members follow as each backend passes a list.
RECORD_PING_MESSAGE = "UPDATE pings SET message_id = ? WHERE convo_id = ? AND user_id"


def batch_from_rows(batch: Sequence[Any], members: Sequence[Sequence[Any]]) -> PingBatch:
    """A ``SELECT_BATCH`` row and its ``BATCH_MEMBERS`` rows."""
    pinged = tuple(PingedMember(int(row[0]), row[1]) for row in members)
    return PingBatch(batch[0], int(batch[2]), parse_tags(batch[1]), pinged)
