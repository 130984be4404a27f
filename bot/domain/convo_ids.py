"""convoIds: UUIDs that never collide on Chatsight's side, where a reused id overwrites results.

A Discord-triggered id is derived from the guild, the channel and the snowflake of the triggering
interaction or message. Each request gets its own id, and a retried request gets the same one.
"""

from __future__ import annotations

import secrets
import uuid

# Fixed forever: changing it would re-key every convoId.
PROJECT_NAMESPACE = uuid.UUID("6f1d2a4e-8c3b-5e7f-9a10-c4a7b5d3e2f1")


def discord_convo_id(guild_id: int | None, channel_id: int, trigger_id: int) -> str:
    return str(uuid.uuid5(PROJECT_NAMESPACE, f"discord/{guild_id or 0}/{channel_id}/{trigger_id}"))


def cli_convo_id(nonce: str | None = None) -> str:
    """A separate name space, so a CLI session can never equal a Discord one."""
    return str(uuid.uuid5(PROJECT_NAMESPACE, f"cli/{nonce or secrets.token_hex(16)}"))


def follow_convo_id(follow_id: int, sample: int) -> str:
    """Each sample of a followed stream is a new session: Chatsight must never see a reuse."""
    return str(uuid.uuid5(PROJECT_NAMESPACE, f"follow/{follow_id}/{sample}"))
