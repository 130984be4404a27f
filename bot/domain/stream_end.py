"""A stream that ended is not a session error (issue 17): when Chatsight stops a session, its
stop reason tells which, and only the latter is worth waking a moderator for.

Chatsight publishes no catalogue of stop reasons (docs/chatsight-api.md §11, question 3), so a
reason naming the stream as unavailable, offline or ended counts as the stream ending.
"""

from __future__ import annotations

from bot.domain.failure_reasons import stop_reason
from bot.domain.records import SessionRecord, SessionState

ENDED_WORDS = ("unavailable", "offline", "ended", "not_live", "not live")


def stream_ended(session: SessionRecord) -> bool:
    """Whether this session failed because its stream ended, not because something broke."""
    if session.state is not SessionState.FAILED or not session.error:
        return False
    reason = stop_reason(session.error)
    return reason is not None and any(word in reason.casefold() for word in ENDED_WORDS)
