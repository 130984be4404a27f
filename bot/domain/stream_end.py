"""A stream that ended is not a session error (issue 17): when Chatsight stops a session, its
stop reason tells which, and only the latter is worth waking a moderator for.

Chatsight publishes no catalogue of stop reasons (docs/chatsight-api.md §11, question 3), so a
reason naming the stream as unavailable, offline or ended counts as the stream ending.
"""

from __future__ import annotations

from bot.domain.records import SessionRecord, SessionState

STOPPED_PREFIX = "Chatsight stopped the session: "
ENDED_WORDS = ("unavailable", "offline", "ended", "not_live", "not live")


def stopped_error(stop_reason: str) -> str:
    """The error a session Chatsight stopped is stored with."""
    return STOPPED_PREFIX + stop_reason


def stream_ended(session: SessionRecord) -> bool:
    """Whether this session failed because its stream ended, not because something broke."""
    if session.state is not SessionState.FAILED or not session.error:
        return False
    if not session.error.startswith(STOPPED_PREFIX):
        return False
    reason = session.error.removeprefix(STOPPED_PREFIX).casefold()
    return any(word in reason for word in ENDED_WORDS)
