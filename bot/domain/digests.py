"""The weekly digest's schedule: when each server's digest is due.

A server picks a weekday, an hour and a time zone (Monday 09:00 UTC unless it chose otherwise), or
switches its digest off. Times are computed in the server's zone, so a digest set for 09:00 in
Berlin stays at 09:00 there across daylight saving time. One digest covers the week before it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.domain.refusals import Refusal

DAY_MS = 24 * 3600 * 1000
WEEK_MS = 7 * DAY_MS
DEFAULT_WEEKDAY = 0  # Monday, as datetime.weekday() counts
DEFAULT_HOUR = 9
DEFAULT_TIMEZONE = "UTC"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# After a change of schedule, the next digest comes no sooner than this after the last one, so
# moving the day does not post two digests of nearly the same week.
MIN_GAP_MS = 6 * DAY_MS


@dataclass(eq=False)
class UnknownTimeZone(Refusal):
    name: str


@dataclass(frozen=True, slots=True)
class DigestSchedule:
    """A server's digest: its settings, when the next one is due, and how its post is going.

    ``first_attempt_at_ms`` is when the first send of the digest due at ``due_at_ms`` began: a
    resend later than Discord recalls a nonce looks for that post in the channel since then.
    """

    guild_id: int
    enabled: bool = True
    weekday: int = DEFAULT_WEEKDAY
    hour: int = DEFAULT_HOUR
    timezone: str = DEFAULT_TIMEZONE
    due_at_ms: int = 0
    attempts: int = 0
    first_attempt_at_ms: int | None = None
    last_due_at_ms: int | None = None
    message_id: int | None = None
    last_error: str | None = None


def zone(name: str) -> ZoneInfo:
    """The IANA time zone (``Europe/Berlin``); UnknownTimeZone for any other name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimeZone(name) from None


def local_time(at_ms: int, timezone: str) -> datetime:
    return datetime.fromtimestamp(at_ms / 1000, zone(timezone))


def next_due_ms(weekday: int, hour: int, timezone: str, after_ms: int) -> int:
    """The first ``weekday`` at ``hour``:00 in ``timezone`` strictly after ``after_ms``.

    Arithmetic on an aware datetime is wall-clock arithmetic, so a week later is the same local
    hour whatever daylight saving did in between.
    """
    local = local_time(after_ms, timezone)
    day = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    candidate = day + timedelta(days=(weekday - local.weekday()) % 7)
    while _ms(candidate) <= after_ms:
        candidate += timedelta(days=7)
    return _ms(candidate)


def first_due_ms(schedule: DigestSchedule, now_ms: int) -> int:
    """When a (re)configured schedule's next digest falls: its next time after now, and no
    sooner than ``MIN_GAP_MS`` after the last digest."""
    after = now_ms
    if schedule.last_due_at_ms is not None:
        after = max(after, schedule.last_due_at_ms + MIN_GAP_MS)
    return next_due_ms(schedule.weekday, schedule.hour, schedule.timezone, after)


def following_due_ms(schedule: DigestSchedule) -> int:
    """The digest after the one due now: a week on, at the same local time."""
    return next_due_ms(schedule.weekday, schedule.hour, schedule.timezone, schedule.due_at_ms)


def _ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def time_zones(typed: str, most: int = 25) -> list[str]:
    """IANA time zone names containing what a member typed, for autocomplete (at most 25, as
    Discord allows)."""
    needle = typed.strip().lower()
    return [name for name in _zone_names() if needle in name.lower()][:most]


@functools.cache
def _zone_names() -> tuple[str, ...]:
    """Read from the system's time zone database once: it does not change while running."""
    return tuple(sorted(available_timezones()))
