"""Moderator alerts: which results deserve one (pure), and recording who acknowledged it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.records import SessionRecord, SessionState
from bot.domain.server_records import GuildSettings


@dataclass(frozen=True, slots=True)
class AlertDecision:
    matched_tags: tuple[str, ...]
    undocumented: bool
    error: str | None

    @property
    def reasons(self) -> list[str]:
        found = []
        if self.matched_tags:
            found.append("flagged tags")
        if self.undocumented:
            found.append("tags outside Chatsight's published list")
        if self.error:
            found.append("a session error")
        return found


def evaluate(settings: GuildSettings, session: SessionRecord) -> AlertDecision | None:
    """None when the server asked for no alert about this result."""
    if settings.alert_channel_id is None:
        return None
    matched: tuple[str, ...] = ()
    undocumented = False
    if session.state is SessionState.COMPLETED and session.result is not None:
        flagged = {tag.casefold() for tag in settings.alert_tags}
        matched = tuple(tag for tag in session.result.tags if tag.casefold() in flagged)
        undocumented = settings.alert_undocumented and session.result.undocumented
    error = (
        session.error
        if settings.alert_errors and session.state is not SessionState.COMPLETED
        else None
    )
    if not matched and not undocumented and not error:
        return None
    return AlertDecision(matched, undocumented, error)
