"""Per-server records: configuration, followed streams and moderator alerts."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from bot.domain.announced import Expectations
from bot.domain.convo_ids import Trigger
from bot.domain.records import Origin, SessionSource

DEFAULT_INTERVAL_MINUTES = 10
# A followed stream alerts when heard flagged in this many of its last samples (issue 17: one
# flagged minute is noise, a flag that keeps coming back is signal).
DEFAULT_ALERT_HITS = 2
DEFAULT_ALERT_SAMPLES = 3
DEFAULT_REPING_MINUTES = 10


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
    alert_hits: int = DEFAULT_ALERT_HITS
    alert_samples: int = DEFAULT_ALERT_SAMPLES
    alert_reping_minutes: int = DEFAULT_REPING_MINUTES
    # Announced categories and the tags expected of each (announced.py).
    announced_tags: Expectations = ()
    autotag_channel_ids: tuple[int, ...] = field(default=())


class FollowState(enum.StrEnum):
    ACTIVE = "active"
    STOPPED = "stopped"  # a moderator stopped it
    ENDED = "ended"  # a sample failed: the stream is gone
    FINISHED = "finished"  # the maximum duration passed


@dataclass(frozen=True, slots=True)
class Follow:
    """A stream sampled every ``interval_ms``; each sample is a session with the follow's
    origin and source, and a convoId derived from its trigger and the sample number."""

    id: int
    stream_url: str
    source: SessionSource
    state: FollowState
    samples: int
    interval_ms: int
    next_sample_at_ms: int
    ends_at_ms: int
    created_at_ms: int
    origin: Origin
    trigger: Trigger
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
    # A followed stream's one alert; the convoId above is the sample that raised it.
    follow_id: int | None = None
    # When the single re-ping is due; None once it was sent or is no longer wanted.
    reping_at_ms: int | None = None
