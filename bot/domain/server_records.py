"""Per-server records: configuration, followed streams and moderator alerts."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

DEFAULT_INTERVAL_MINUTES = 10


@dataclass(frozen=True, slots=True)
class GuildSettings:
    guild_id: int
    results_channel_id: int | None = None
    seed: str | None = None
    alert_channel_id: int | None = None
    alert_role_id: int | None = None
    alert_tags: tuple[str, ...] = ()
    alert_undocumented: bool = False
    alert_errors: bool = False
    autotag_interval_minutes: int = DEFAULT_INTERVAL_MINUTES
    autotag_channel_ids: tuple[int, ...] = field(default=())


class FollowState(enum.StrEnum):
    ACTIVE = "active"
    STOPPED = "stopped"  # a moderator stopped it
    ENDED = "ended"  # a sample failed: the stream is gone
    FINISHED = "finished"  # the maximum duration passed


@dataclass(frozen=True, slots=True)
class Follow:
    id: int
    channel_id: int
    stream_url: str
    state: FollowState
    samples: int
    interval_ms: int
    next_sample_at_ms: int
    ends_at_ms: int
    created_at_ms: int
    guild_id: int | None = None
    seed: str | None = None
    requester_id: int | None = None
    origin_message_id: int | None = None
    timeline_channel_id: int | None = None
    timeline_message_id: int | None = None
    stop_reason: str | None = None


@dataclass(frozen=True, slots=True)
class AlertRecord:
    convo_id: str
    guild_id: int
    channel_id: int
    matched: tuple[str, ...]
    created_at_ms: int
    message_id: int | None = None
    acknowledged_by: int | None = None
    acknowledged_at_ms: int | None = None
