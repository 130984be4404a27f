"""The in-memory store shared by REST, gateway and control code, and its change signal.

Waiting in tests is event-driven: every mutation calls :meth:`State.changed`, which wakes
whoever is blocked in :meth:`State.wait_for` so it can re-check its predicate.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from . import errors
from .model import (
    BotApp,
    Channel,
    Guild,
    Interaction,
    RequestLogEntry,
    Role,
    SnowflakeFactory,
    StoredMessage,
    User,
)
from .permissions import VIEW_CHANNEL, channel_permissions
from .threads import in_thread

T = TypeVar("T")


@dataclass
class EmulatorConfig:
    """Knobs tests turn; the defaults are Discord's own numbers."""

    heartbeat_interval_ms: int = 41_250
    interaction_timeout: float = 3.0
    interaction_token_ttl: float = 15 * 60.0
    nonce_window: float = 5 * 60.0
    attachment_size_limit: int = 10 * 1024 * 1024
    global_limit_per_second: int = 50
    # bucket name -> (requests, window seconds); see ratelimit.ROUTE_BUCKETS for the names.
    bucket_limits: dict[str, tuple[int, float]] = field(default_factory=dict)
    session_start_limit: int = 1000
    resume_buffer: int = 1000
    # Sharding (docs/discord-notes.md, Sharding): ``GET /gateway/bot`` recommends
    # ``shards``; ``max_concurrency`` identifies per ``identify_window`` seconds, one per bucket
    # ``shard_id % max_concurrency``; a session that would hold more than ``guilds_per_shard``
    # guilds is closed with 4011.
    shards: int = 1
    max_concurrency: int = 1
    identify_window: float = 5.0
    guilds_per_shard: int = 2500
    # The invalid-request limit: more 401/403/429 answers than this from one address within
    # the window, and Cloudflare bans the address for ``ban_duration`` seconds.
    invalid_request_limit: int = 10_000
    invalid_request_window: float = 600.0
    ban_duration: float = 3600.0


class State:
    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.ids = SnowflakeFactory()
        self.users: dict[int, User] = {}
        self.bots: dict[int, BotApp] = {}  # by bot user id
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.roles: dict[int, Role] = {}
        self.messages: dict[int, StoredMessage] = {}
        self.channel_messages: dict[int, list[int]] = {}
        self.interactions: dict[int, Interaction] = {}
        # (application id, guild id or None) -> commands in registration order
        self.commands: dict[tuple[int, int | None], list[dict[str, Any]]] = {}
        self.nonces: dict[tuple[int, str], tuple[float, int]] = {}
        self.webhooks: dict[str, int] = {}  # webhook display name -> webhook user id
        self.request_log: list[RequestLogEntry] = []
        self._waiters: set[asyncio.Future[None]] = set()

    # -- change signal -------------------------------------------------------------------

    def changed(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    async def wait_for(
        self,
        predicate: Callable[[], T | None],
        timeout: float = 5.0,  # noqa: ASYNC109 - test API
    ) -> T:
        """Return the first truthy value of ``predicate()``, re-checked after every change.

        Only the emulator's own changes wake it: a predicate over client-side state is
        checked once more at the deadline, not before.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout} s")
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.add(waiter)
            try:
                await asyncio.wait_for(waiter, remaining)
            except TimeoutError:
                continue
            finally:
                self._waiters.discard(waiter)

    # -- lookups that answer like Discord ------------------------------------------------

    def bot_by_token(self, token: str) -> BotApp | None:
        return next((b for b in self.bots.values() if b.token == token), None)

    def bot_by_application(self, application_id: int) -> BotApp | None:
        return next((b for b in self.bots.values() if b.application_id == application_id), None)

    def channel(self, channel_id: int) -> Channel:
        channel = self.channels.get(channel_id)
        if channel is None or channel.deleted:
            raise errors.unknown_channel()
        return channel

    def guild(self, guild_id: int) -> Guild:
        guild = self.guilds.get(guild_id)
        if guild is None:
            raise errors.unknown_guild()
        return guild

    def visible_channel(self, channel_id: int, user_id: int) -> tuple[Channel, int]:
        """The channel and the user's permissions in it; 50001 when the user cannot see it."""
        channel = self.channel(channel_id)
        guild = self.guilds[channel.guild_id]
        if user_id not in guild.members:
            raise errors.missing_access()
        perms = self.permissions(channel, user_id)
        if not perms & VIEW_CHANNEL:
            raise errors.missing_access()
        return channel, perms

    def permissions(self, channel: Channel, user_id: int) -> int:
        """A thread has its parent's permissions (threads.in_thread)."""
        guild = self.guilds[channel.guild_id]
        if channel.thread is None or channel.parent_id is None:
            return channel_permissions(guild, self.roles, channel, user_id)
        parent = self.channels[channel.parent_id]
        return in_thread(channel_permissions(guild, self.roles, parent, user_id), channel, user_id)

    def message(self, channel_id: int, message_id: int, viewer: int | None = None) -> StoredMessage:
        stored = self.messages.get(message_id)
        if stored is None or stored.deleted or stored.channel_id != channel_id:
            raise errors.unknown_message()
        if viewer is not None and stored.ephemeral_for not in (None, viewer):
            raise errors.unknown_message()
        return stored

    def store_message(self, stored: StoredMessage) -> None:
        self.messages[stored.id] = stored
        self.channel_messages.setdefault(stored.channel_id, []).append(stored.id)
        channel = self.channels.get(stored.channel_id)
        if channel is not None and stored.ephemeral_for is None:
            channel.last_message_id = stored.id
        self.changed()

    def channel_history(self, channel_id: int, include_ephemeral: bool) -> list[StoredMessage]:
        """Oldest first, deleted messages left out."""
        found = (self.messages[i] for i in self.channel_messages.get(channel_id, []))
        return [
            m for m in found if not m.deleted and (include_ephemeral or m.ephemeral_for is None)
        ]

    def recall_nonce(self, author_id: int, nonce: str) -> StoredMessage | None:
        entry = self.nonces.get((author_id, nonce))
        if entry is None or time.monotonic() - entry[0] > self.config.nonce_window:
            return None
        stored = self.messages.get(entry[1])
        return stored if stored is not None and not stored.deleted else None

    def remember_nonce(self, author_id: int, nonce: str, message_id: int) -> None:
        self.nonces[(author_id, nonce)] = (time.monotonic(), message_id)

    def member_guilds(self, user_id: int) -> list[Guild]:
        return [g for g in self.guilds.values() if user_id in g.members]
