"""Why a session gave no result, in the reader's language where the bot worded the reason
itself (bot/domain/failure_reasons.py); Chatsight's own words, and reasons stored in any other
form, read as stored."""

from __future__ import annotations

from bot.domain.failure_reasons import NO_STOP_REASON, expired_after, stop_reason
from bot.language.catalogue import Words


def failure_reason(error: str | None, fallback: str, *, words: Words) -> str:
    """``fallback`` when no reason was stored."""
    if not error:
        return fallback
    minutes = expired_after(error)
    if minutes is not None:
        return words("results.reason.expired", minutes=minutes)
    reason = stop_reason(error)
    if reason is None:
        return error
    if reason == NO_STOP_REASON:
        return words("results.reason.stopped_silently")
    return words("results.reason.stopped", reason=reason)
