"""Moderator alerts: which results deserve one (pure).

A one-off result alerts on its own. A followed stream alerts only on a sustained signal: a
reason heard in ``alert_hits`` of its last ``alert_samples`` samples (issue 17: a stream heard
flagged in 6 of 7 samples pinged the role 6 times, and moderators mute bots that do that).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.announced import expected_tags, heard_as_announced
from bot.domain.records import SessionRecord, SessionState
from bot.domain.server_records import GuildSettings
from bot.domain.stream_end import stream_ended


@dataclass(frozen=True, slots=True)
class AlertDecision:
    matched_tags: tuple[str, ...]
    undocumented: bool
    error: str | None
    # The category the stream was announced as, when it was heard as something else.
    mismatch: str | None = None


def evaluate(
    settings: GuildSettings, session: SessionRecord, announced: str | None = None
) -> AlertDecision | None:
    """None when the server asked for no alert about this result. ``announced``: the category
    a followed stream's announcement named, checked against the tags the server expects."""
    if settings.alert_channel_id is None:
        return None
    matched: tuple[str, ...] = ()
    undocumented = False
    mismatch = None
    if session.state is SessionState.COMPLETED and session.result is not None:
        flagged = {tag.casefold() for tag in settings.alert_tags}
        matched = tuple(tag for tag in session.result.tags if tag.casefold() in flagged)
        undocumented = settings.alert_undocumented and session.result.undocumented
        expected = expected_tags(settings.announced_tags, announced)
        if not heard_as_announced(expected, session.result.tags):
            mismatch = announced
    error = (
        session.error
        if settings.alert_errors
        and session.state is not SessionState.COMPLETED
        and not stream_ended(session)
        else None
    )
    if not matched and not undocumented and not error and not mismatch:
        return None
    return AlertDecision(matched, undocumented, error, mismatch)


@dataclass(frozen=True, slots=True)
class SustainedSignal:
    """Why a followed stream alerts, gathered over the samples since its window began."""

    decision: AlertDecision
    hits: int  # samples with a reason since the window that first held enough began
    samples: int  # samples since then
    latest_at_ms: int  # when the latest sample with a reason was taken


def first_sustained(flags: Sequence[bool], hits: int, window: int) -> int | None:
    """The index of the first sample whose window of ``window`` samples holds ``hits``
    flagged ones; None while none does. ``hits`` above ``window`` asks for all of them."""
    window = max(1, window)
    hits = max(1, min(hits, window))
    for end in range(len(flags)):
        if sum(flags[max(0, end - window + 1) : end + 1]) >= hits:
            return end
    return None


def sustained_signal(
    settings: GuildSettings, samples: Sequence[SessionRecord]
) -> SustainedSignal | None:
    """``samples``: a follow's finished samples, oldest first. None until a window holds enough
    samples with a reason, or when the server asked for no alert at all."""
    # The first sample was given the announcement's details; later ones know the page's only.
    announced = next((s.stream.category for s in samples if s.stream.category), None)
    decisions = [evaluate(settings, sample, announced) for sample in samples]
    flags = [decision is not None for decision in decisions]
    end = first_sustained(flags, settings.alert_hits, settings.alert_samples)
    if end is None:
        return None
    start = max(0, end - max(1, settings.alert_samples) + 1)
    since = [(s, d) for s, d in zip(samples[start:], decisions[start:], strict=True)]
    heard = [(s, d) for s, d in since if d is not None]
    matched: dict[str, str] = {}
    for _, decision in heard:
        for tag in decision.matched_tags:
            matched.setdefault(tag.casefold(), tag)
    errors = [d.error for _, d in heard if d.error]
    union = AlertDecision(
        tuple(matched.values()),
        any(d.undocumented for _, d in heard),
        errors[-1] if errors else None,
        next((d.mismatch for _, d in heard if d.mismatch), None),
    )
    return SustainedSignal(union, len(heard), len(since), heard[-1][0].created_at_ms)
