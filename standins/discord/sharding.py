"""Sharding as Discord documents it (docs/discord-notes.md, Sharding): which shard owns a guild,
which IDENTIFY ``shard`` values are valid, and the identify limits (``max_concurrency`` buckets
and the daily session starts).

* A guild belongs to shard ``(guild_id >> 22) % num_shards``. Sessions may share a
  ``[shard_id, num_shards]`` or use different ``num_shards``: the pair only routes events.
* ``shard_id`` outside ``0 .. num_shards - 1`` closes the socket with 4010 Invalid shard; a
  session that would hold more guilds than a shard may (2500) closes with 4011 Sharding
  required.
* Each bucket ``shard_id % max_concurrency`` may identify once per window (5 s); an IDENTIFY
  that comes too soon is answered with op 9 INVALID_SESSION (``d: false``).
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

from .model import JSON
from .state import EmulatorConfig

INVALID_SHARD, SHARDING_REQUIRED = 4010, 4011
DAY_SECONDS = 86_400.0


def shard_of(guild_id: int, shard_count: int) -> int:
    return (guild_id >> 22) % shard_count


def parse_shard(raw: object) -> tuple[int, int] | None:
    """The IDENTIFY ``shard`` as ``(shard_id, num_shards)``, ``(0, 1)`` when absent; None
    when Discord would refuse it with 4010."""
    if raw is None:
        return 0, 1
    if not isinstance(raw, list) or len(raw) != 2:
        return None
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in raw):
        return None
    shard_id, count = raw
    if count < 1 or not 0 <= shard_id < count:
        return None
    return shard_id, count


@dataclass
class IdentifyLimiter:
    """Identify buckets per bot, the violations seen, and the daily session-start count."""

    config: EmulatorConfig
    violations: int = 0
    # (bot user id, bucket) -> monotonic time of the bucket's last accepted IDENTIFY
    _last: dict[tuple[int, int], float] = field(default_factory=dict)
    # bot user id -> monotonic times of accepted IDENTIFYs within the last day
    _starts: dict[int, deque[float]] = field(default_factory=dict)

    def bucket(self, shard_id: int) -> int:
        return shard_id % max(self.config.max_concurrency, 1)

    def admit(self, bot_user_id: int, shard_id: int) -> bool:
        """Take the bucket's slot; False (and a counted violation) when it is still taken."""
        now = time.monotonic()
        key = (bot_user_id, self.bucket(shard_id))
        last = self._last.get(key)
        if last is not None and now - last < self.config.identify_window:
            self.violations += 1
            return False
        self._last[key] = now
        self._recent_starts(bot_user_id, now).append(now)
        return True

    def _recent_starts(self, bot_user_id: int, now: float) -> deque[float]:
        starts = self._starts.setdefault(bot_user_id, deque())
        while starts and now - starts[0] >= DAY_SECONDS:
            starts.popleft()
        return starts

    def session_start_limit(self, bot_user_id: int) -> JSON:
        """``session_start_limit`` of ``GET /gateway/bot``: the day runs from the first start."""
        now = time.monotonic()
        starts = self._recent_starts(bot_user_id, now)
        total = self.config.session_start_limit
        reset_after = DAY_SECONDS - (now - starts[0]) if starts else DAY_SECONDS
        return {
            "total": total,
            "remaining": max(0, total - len(starts)),
            "reset_after": int(reset_after * 1000),
            "max_concurrency": self.config.max_concurrency,
        }
