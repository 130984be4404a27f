"""The emulator's world as plain records.

Objects keep only what Discord itself would know; their JSON shapes are built on demand in
``serialize`` so that one stored fact (say a role's permissions) can never disagree with the
several payloads that mention it.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

JSON = dict[str, Any]

DISCORD_EPOCH_MS = 1_420_070_400_000


class SnowflakeFactory:
    """Hands out strictly increasing snowflakes whose timestamps are the real time.

    discord.py derives ``created_at`` from ids and orders history by them, so ids must both look
    real and never repeat, even when many are minted within one millisecond.
    """

    def __init__(self) -> None:
        self._last = 0
        self._counter = itertools.count()

    def next(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        candidate = (ms << 22) | (1 << 17) | (next(self._counter) & 0xFFF)
        self._last = max(candidate, self._last + 1)
        return self._last

    def next_on_shard(self, shard_id: int, shard_count: int) -> int:
        """The next id whose guild lands on ``shard_id``: ``(id >> 22) % shard_count`` routes
        it, so the timestamp moves up to ``shard_count - 1`` ms ahead."""
        candidate = self.next()
        ms = candidate >> 22
        ms += (shard_id - ms) % shard_count
        self._last = (ms << 22) | (candidate & ((1 << 22) - 1))
        return self._last


def iso_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass
class User:
    id: int
    username: str
    bot: bool = False
    global_name: str | None = None
    webhook: bool = False
    locale: str = "en-US"  # the language the user's Discord client is set to


@dataclass
class BotApp:
    """A bot account: its user, its application and the token that authenticates both."""

    user_id: int
    application_id: int
    token: str
    name: str
    owner_id: int
    flags: int = 0
    verify_key: str = "0" * 64
    # Privileged intents the gateway refuses whatever ``flags`` say (intents.py).
    refused_intents: int = 0


@dataclass
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int
    position: int = 0
    mentionable: bool = False
    color: int = 0
    hoist: bool = False
    managed: bool = False


@dataclass
class Overwrite:
    id: int
    type: int  # 0 role, 1 member
    allow: int = 0
    deny: int = 0


@dataclass
class ThreadState:
    """What only a thread has (docs/discord-notes.md, Channels): who started it, who joined it,
    and whether it is archived or locked."""

    owner_id: int
    members: dict[int, str] = field(default_factory=dict)  # user id -> join timestamp
    archived: bool = False
    locked: bool = False
    auto_archive_duration: int = 1440
    archive_timestamp: str = field(default_factory=iso_now)
    create_timestamp: str = field(default_factory=iso_now)
    total_message_sent: int = 0


@dataclass
class Channel:
    """A guild channel; ``parent_id`` is a channel's category or a thread's channel, and
    ``thread`` is set for threads (types 10, 11, 12) only."""

    id: int
    guild_id: int
    name: str
    type: int = 0
    position: int = 0
    topic: str | None = None
    overwrites: dict[int, Overwrite] = field(default_factory=dict)
    last_message_id: int | None = None
    deleted: bool = False
    parent_id: int | None = None
    thread: ThreadState | None = None


@dataclass
class Member:
    user_id: int
    guild_id: int
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso_now)


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    channel_ids: list[int] = field(default_factory=list)
    role_ids: list[int] = field(default_factory=list)
    members: dict[int, Member] = field(default_factory=dict)
    preferred_locale: str = "en-US"  # the server's language (Community settings)


@dataclass
class StoredMessage:
    """A message as Discord keeps it, plus what only the emulator's readers need.

    ``data`` is the Discord JSON without ``reactions`` (whose ``me`` depends on who looks);
    ``ephemeral_for`` is the only user who may see it; ``history`` holds earlier versions.
    """

    data: JSON
    ephemeral_for: int | None = None
    reactions: dict[str, list[int]] = field(default_factory=dict)
    history: list[JSON] = field(default_factory=list)
    deleted: bool = False
    allowed_mentions: JSON | None = None

    @property
    def id(self) -> int:
        return int(self.data["id"])

    @property
    def channel_id(self) -> int:
        return int(self.data["channel_id"])

    @property
    def content(self) -> str:
        return str(self.data["content"])


@dataclass
class ResponseRecord:
    """One answer the application gave to an interaction (callback, edit, follow-up...)."""

    kind: str  # "callback", "edit_original", "delete_original", "followup", "edit_followup"
    type: int | None
    data: JSON
    at: float
    message_id: int | None = None


@dataclass
class Interaction:
    id: int
    token: str
    type: int
    application_id: int
    user_id: int
    guild_id: int
    channel_id: int
    payload: JSON
    created_at: float
    message_id: int | None = None  # the message a component sits on
    original_message_id: int | None = None
    responses: list[ResponseRecord] = field(default_factory=list)
    responded: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def callback(self) -> ResponseRecord | None:
        return next((r for r in self.responses if r.kind == "callback"), None)

    async def wait_response(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 - test API
    ) -> ResponseRecord:
        """Wait for the initial callback, which is what Discord's 3-second clock watches."""
        await asyncio.wait_for(self.responded.wait(), timeout)
        callback = self.callback
        assert callback is not None
        return callback


@dataclass
class RequestLogEntry:
    method: str
    path: str
    status: int
    at: float
    fault: str | None = None
