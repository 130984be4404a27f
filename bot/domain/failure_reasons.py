"""The reasons a session that gave no result is stored with, and how to read them back.

Stored as English text: the operator's log, the CLI and the store's other readers show them as
they are. The two the bot writes itself (Chatsight stopped the session; no result came in time)
keep one fixed shape, so a member's view (bot/rendering/failure_reasons.py) can say them in the
server's language; any other reason (a refused start, in Chatsight's words) is shown as stored.
"""

from __future__ import annotations

import re

STOPPED_PREFIX = "Chatsight stopped the session: "
# What a stop without a reason is stored with (Chatsight's stopReason is optional).
NO_STOP_REASON = "no reason given"
_EXPIRED = re.compile(r"no result from Chatsight after (\d+) minutes")


def stopped_error(stop_reason: str | None) -> str:
    """The error a session Chatsight stopped is stored with."""
    return STOPPED_PREFIX + (stop_reason or NO_STOP_REASON)


def expired_error(minutes: int) -> str:
    """The error a session that waited ``minutes`` for its result in vain is stored with."""
    return f"no result from Chatsight after {minutes} minutes"


def stop_reason(error: str) -> str | None:
    """Chatsight's stop reason, when ``error`` says Chatsight stopped the session."""
    return error.removeprefix(STOPPED_PREFIX) if error.startswith(STOPPED_PREFIX) else None


def expired_after(error: str) -> int | None:
    """The minutes waited, when ``error`` says no result came in time."""
    found = _EXPIRED.fullmatch(error)
    return None if found is None else int(found.group(1))
