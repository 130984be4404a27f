"""Which results raise a moderator alert, and the per-server settings behind it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.domain.alert_policy import AlertDecision, evaluate, first_sustained, sustained_signal
from bot.domain.announced import (
    announced_seed,
    format_expectations,
    parse_expectations,
    with_expectation,
)
from bot.domain.failure_reasons import stopped_error
from bot.domain.records import SessionRecord, SessionSource, SessionState
from bot.domain.refusals import IntervalOutOfRange, NoTagsGiven, SeedTooLong, TooManyCategories
from bot.domain.server_records import GuildSettings
from bot.domain.stream_details import StreamDetails
from bot.domain.stream_end import stream_ended
from bot.domain.tags import TagResult
from bot.language.catalogue import ENGLISH_WORDS
from bot.rendering.refusals import refusal_text
from bot.server.guild_config import GuildConfig
from bot.store import Store


def result(tags: tuple[str, ...], undocumented: bool = False) -> SessionRecord:
    return SessionRecord(
        "c",
        "https://s.test",
        SessionSource.AUTOTAG,
        SessionState.COMPLETED,
        0,
        0,
        result=TagResult(tags, undocumented),
    )


def test_flagged_tags_match_case_insensitively() -> None:
    settings = GuildSettings(1, alert_channel_id=9, alert_tags=("violence", "Gambling"))
    decision = evaluate(settings, result(("Fun", "Violence", "gambling")))
    assert decision is not None
    assert decision.matched_tags == ("Violence", "gambling")


def test_no_alert_without_a_channel_or_a_reason() -> None:
    assert evaluate(GuildSettings(1, alert_tags=("Fun",)), result(("Fun",))) is None
    assert (
        evaluate(GuildSettings(1, alert_channel_id=9, alert_tags=("X",)), result(("Fun",))) is None
    )


def test_undocumented_and_errors_alert_only_when_switched_on() -> None:
    off = GuildSettings(1, alert_channel_id=9)
    on = GuildSettings(1, alert_channel_id=9, alert_undocumented=True, alert_errors=True)
    failed = SessionRecord(
        "c", "u", SessionSource.AUTOTAG, SessionState.FAILED, 0, 0, error="stream gone"
    )
    assert evaluate(off, result(("Fun",), undocumented=True)) is None
    assert evaluate(off, failed) is None
    undocumented = evaluate(on, result(("Fun",), undocumented=True))
    assert undocumented is not None
    assert undocumented.undocumented
    errored = evaluate(on, failed)
    assert errored is not None
    assert errored.error == "stream gone"


async def test_bad_settings_are_refused_plainly(store: Store) -> None:
    config = GuildConfig(store)
    with pytest.raises(NoTagsGiven):
        await config.change_alert_tags(1, " , ", add=True)
    with pytest.raises(IntervalOutOfRange) as interval:
        await config.set_interval(1, 0)
    assert "1 to 240 minutes" in refusal_text(interval.value, words=ENGLISH_WORDS)
    with pytest.raises(SeedTooLong) as seed:
        await config.set_seed(1, "x" * 1001)
    assert seed.value.limit == 1000
    assert await config.get(1) == GuildSettings(1)


def test_a_followed_stream_alerts_at_its_first_window_holding_enough() -> None:
    flagged_1_4_5 = [True, False, False, True, True, False]
    assert first_sustained(flagged_1_4_5, 2, 3) == 4  # samples 3, 4, 5
    assert first_sustained(flagged_1_4_5, 1, 1) == 0
    assert first_sustained(flagged_1_4_5, 3, 3) is None
    assert first_sustained(flagged_1_4_5, 5, 2) == 4  # more hits than samples: all of them


def test_the_signal_counts_the_samples_since_its_window_began() -> None:
    settings = GuildSettings(1, alert_channel_id=9, alert_tags=("Violence",))
    tags = [("Violence",), ("Fun",), ("Fun",), ("Violence",), ("violence", "Fun"), ("Fun",)]
    samples = [replace(result(t), created_at_ms=i * 1000) for i, t in enumerate(tags)]
    assert sustained_signal(settings, samples[:4]) is None
    signal = sustained_signal(settings, samples)
    assert signal is not None
    assert (signal.hits, signal.samples, signal.latest_at_ms) == (2, 4, 4000)
    assert signal.decision.matched_tags == ("Violence",)


def test_a_stream_that_ended_is_no_session_error() -> None:
    on = GuildSettings(1, alert_channel_id=9, alert_errors=True)

    def stopped(reason: str) -> SessionRecord:
        return SessionRecord(
            "c", "u", SessionSource.AUTOTAG, SessionState.FAILED, 0, 0, error=stopped_error(reason)
        )

    assert stream_ended(stopped("stream_unavailable"))
    assert evaluate(on, stopped("stream_unavailable")) is None
    assert not stream_ended(stopped("out_of_memory"))
    errored = evaluate(on, stopped("out_of_memory"))
    assert errored is not None
    assert errored.error == "Chatsight stopped the session: out_of_memory"


def test_a_stream_heard_as_other_than_announced_is_a_mismatch() -> None:
    settings = GuildSettings(
        1, alert_channel_id=9, announced_tags=(("Chess", ("Chess", "Board games")),)
    )
    assert evaluate(settings, result(("board games",)), "chess") is None
    assert evaluate(settings, result(("Fun",)), "Minecraft") is None  # nothing expected of it
    assert evaluate(settings, result(("Fun",))) is None  # announced as nothing
    mismatch = evaluate(settings, result(("Fun",)), "Chess")
    assert mismatch == AlertDecision((), False, None, "Chess")  # worded by rendering/alerts.py


def test_an_announcement_seeds_with_its_title_and_game() -> None:
    assert announced_seed(StreamDetails(title="Road to 2000", category="Chess")) == (
        "Road to 2000 — Chess"
    )
    assert announced_seed(StreamDetails(streamer="someone")) is None
    mapped = with_expectation((), "Chess", "Chess, Board games")
    assert parse_expectations(format_expectations(mapped)) == mapped
    assert with_expectation(mapped, "CHESS", "") == ()
    many = tuple((f"Game {n}", ("Fun",)) for n in range(25))
    with pytest.raises(TooManyCategories) as refused:
        with_expectation(many, "One more", "Fun")
    assert refusal_text(refused.value, words=ENGLISH_WORDS) == (
        "A server can expect tags of at most 25 announced categories."
    )
