"""What a weekly digest counts, from the week's sessions and alerts as the store keeps them.

No new bookkeeping: a session heard with tags, its stream and its time, and an alert with its
raising and acknowledgement times already say everything a digest shows.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.digests import WEEK_MS, local_time
from bot.domain.records import SessionRecord
from bot.domain.server_records import AlertRecord
from bot.domain.stream_urls import canonical_stream_url

TOP_TAGS = 5


@dataclass(frozen=True, slots=True)
class DigestFigures:
    """A server's week: ``days`` are its seven local dates, ``daily`` the top tags' sessions per
    day (for the picture), ``median_ack_ms`` None when no alert was acknowledged."""

    end_ms: int
    sessions: int
    streams: int
    top_tags: tuple[tuple[str, int], ...]
    alerts_raised: int
    alerts_acknowledged: int
    median_ack_ms: int | None
    days: tuple[date, ...]
    daily: dict[str, tuple[int, ...]]


def digest_figures(
    sessions: Sequence[SessionRecord],
    alerts: Sequence[AlertRecord],
    end_ms: int,
    timezone: str,
) -> DigestFigures:
    """The week before ``end_ms``, counted in the server's time zone. ``sessions`` are those
    heard (with a result) in that week, ``alerts`` those raised in it."""
    heard = [s for s in sessions if s.result is not None and s.result.tags]
    counts = Counter(tag for s in heard for tag in dict.fromkeys(s.result.tags if s.result else ()))
    top = tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_TAGS])
    first_day = local_time(end_ms - WEEK_MS, timezone).date()
    days = tuple(first_day + timedelta(days=n) for n in range(7))
    daily = {tag: [0] * 7 for tag, _ in top}
    for session in heard:
        index = (local_time(session.created_at_ms, timezone).date() - first_day).days
        for tag in dict.fromkeys(session.result.tags if session.result else ()):
            if tag in daily and 0 <= index < 7:
                daily[tag][index] += 1
    waits = [
        alert.acknowledged_at_ms - alert.created_at_ms
        for alert in alerts
        if alert.acknowledged_at_ms is not None
    ]
    return DigestFigures(
        end_ms=end_ms,
        sessions=len(heard),
        streams=len({canonical_stream_url(s.stream_url) for s in heard}),
        top_tags=top,
        alerts_raised=len(alerts),
        alerts_acknowledged=len(waits),
        median_ack_ms=round(statistics.median(waits)) if waits else None,
        days=days,
        daily={tag: tuple(per_day) for tag, per_day in daily.items()},
    )
