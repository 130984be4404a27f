"""Embeds stay inside Discord's limits and never carry a live mention."""

from __future__ import annotations

import discord

from bot.domain.alert_policy import AlertDecision
from bot.domain.convo_ids import Trigger
from bot.domain.failure_reasons import expired_error, stopped_error
from bot.domain.records import Origin, SessionRecord, SessionSource, SessionState
from bot.domain.server_records import Follow, FollowState, GuildSettings
from bot.domain.stream_details import StreamDetails
from bot.domain.tags import TagResult
from bot.language.catalogue import ENGLISH_WORDS, words_for
from bot.rendering.alerts import alert_embed
from bot.rendering.results import (
    EMBED_TOTAL_LIMIT,
    history_embed,
    result_embed,
    started_embed,
    tag_list,
)
from bot.rendering.server import config_embed
from bot.rendering.timelines import timeline_embed


def session(**changes: object) -> SessionRecord:
    base: dict[str, object] = {
        "convo_id": "0f7a8a52-2b7e-5f55-9b53-0123456789ab",
        "stream_url": "https://streams.test/live.m3u8",
        "source": SessionSource.SLASH,
        "state": SessionState.COMPLETED,
        "created_at_ms": 1_000_000,
        "updated_at_ms": 1_065_000,
        "completed_at_ms": 1_065_000,
        "origin": Origin(guild_id=1, channel_id=5, requester_id=42),
        "result": TagResult(("Fun", "Relaxed")),
    }
    base.update(changes)
    return SessionRecord(**base)  # type: ignore[arg-type]


def assert_within_limits(embed: discord.Embed) -> None:
    data = embed.to_dict()
    assert len(embed) <= EMBED_TOTAL_LIMIT
    assert len(data.get("title", "")) <= 256
    assert len(data.get("description", "")) <= 4096
    assert len(data.get("fields", [])) <= 25
    for field in data.get("fields", []):
        assert len(field["name"]) <= 256
        assert len(field["value"]) <= 1024
    assert len(data.get("footer", {}).get("text", "")) <= 2048


def test_result_shows_tags_asker_duration_and_session() -> None:
    embed = result_embed(session(), words=ENGLISH_WORDS)
    assert embed.description == "Fun, Relaxed"
    fields = {field.name: field.value for field in embed.fields}
    assert fields["Requested by"] == "<@42>"
    assert fields["Stream"] == "https://streams.test/live.m3u8"
    assert embed.footer.text is not None
    assert "0f7a8a52" in embed.footer.text
    assert "took 1 min 5 s" in embed.footer.text


def test_undocumented_tags_are_called_out() -> None:
    embed = result_embed(
        session(result=TagResult(("Fun",), undocumented=True)), words=ENGLISH_WORDS
    )
    assert any("outside Chatsight's published list" in (f.value or "") for f in embed.fields)


def test_long_tag_lists_are_cut_with_an_honest_count() -> None:
    tags = tuple(f"Tag{index:04d}-" + "x" * 40 for index in range(500))
    text = tag_list(tags, words=ENGLISH_WORDS)
    assert len(text) <= 1024
    shown = text.count("Tag")
    assert text.endswith(f"+{500 - shown} more")
    assert_within_limits(result_embed(session(result=TagResult(tags)), words=ENGLISH_WORDS))


def test_huge_inputs_stay_within_every_limit() -> None:
    long_url = "https://streams.test/" + "a" * 3000
    huge = session(
        stream_url=long_url,
        result=TagResult(tuple("T" * 300 + str(i) for i in range(40))),
        error="e" * 5000,
    )
    for embed in (
        result_embed(huge, words=ENGLISH_WORDS),
        result_embed(
            session(state=SessionState.FAILED, result=None, error="x" * 5000), words=ENGLISH_WORDS
        ),
        started_embed(huge, words=ENGLISH_WORDS),
        history_embed([huge] * 30, words=ENGLISH_WORDS),
        alert_embed(
            huge,
            AlertDecision(huge.result.tags, True, "x" * 3000),  # type: ignore[union-attr]
            result_url=None,
            words=ENGLISH_WORDS,
        ),
        timeline_embed(
            Follow(
                *(1, long_url, SessionSource.SLASH, FollowState.ACTIVE, 400, 600_000, 0, 10**12),
                created_at_ms=0,
                origin=Origin(1, 5),
                trigger=Trigger(7),
            ),
            [huge] * 400,
            words=ENGLISH_WORDS,
        ),
        config_embed(
            GuildSettings(1, seed="s" * 1000, alert_tags=tuple("t" * 60 for _ in range(50))),
            content_intent=False,
            words=ENGLISH_WORDS,
        ),
    ):
        assert_within_limits(embed)


def test_an_alert_gives_each_of_its_reasons_in_one_sentence() -> None:
    decision = AlertDecision(("Fun",), False, None, "Chess")
    embed = alert_embed(session(), decision, result_url=None, words=ENGLISH_WORDS)
    assert embed.description == (
        "This stream's result has flagged tags and tags that do not match its announcement (Chess)."
    )


def test_mention_syntax_in_tags_is_neutralised() -> None:
    embed = result_embed(
        session(result=TagResult(("@everyone", "<@&123>", "**bold**"))), words=ENGLISH_WORDS
    )
    assert embed.description is not None
    assert "@everyone" not in embed.description.replace("@\u200beveryone", "")
    assert "\\*\\*bold\\*\\*" in embed.description


def test_failed_and_expired_sessions_explain_why() -> None:
    failed = result_embed(
        session(state=SessionState.FAILED, result=None, error="Chatsight stopped the session: oom"),
        words=ENGLISH_WORDS,
    )
    assert failed.title == "Tagging failed"
    assert failed.description == "Chatsight stopped the session: oom"
    expired = result_embed(
        session(state=SessionState.EXPIRED, result=None, error="no result"), words=ENGLISH_WORDS
    )
    assert expired.title == "Tagging expired"


FOLLOW = Follow(
    *(1, "https://streams.test/live.m3u8", SessionSource.SLASH, FollowState.ACTIVE, 400, 600_000),
    *(0, 10**12),
    created_at_ms=0,
    origin=Origin(1, 5),
    trigger=Trigger(7),
)


def test_reasons_the_bot_words_itself_read_in_the_servers_language() -> None:
    """Chatsight's own stop reason stays as it sent it; a reason stored in any other form (a
    start Chatsight refused) reads as stored."""
    cases = [
        ("pl", SessionState.EXPIRED, expired_error(30), "brak wyniku z Chatsight po 30 min"),
        (
            "de",
            SessionState.FAILED,
            stopped_error("out of memory"),
            "Chatsight hat die Sitzung beendet: out of memory",
        ),
        (
            "ja",
            SessionState.FAILED,
            stopped_error(None),
            "Chatsight が理由を示さずにセッションを停止しました",
        ),
        ("pl", SessionState.FAILED, "Chatsight refused the URL.", "Chatsight refused the URL."),
        ("en", SessionState.EXPIRED, expired_error(5), "no result from Chatsight after 5 minutes"),
    ]
    for language, state, error, shown in cases:
        failed = session(state=state, result=None, error=error)
        words = words_for(language)
        assert result_embed(failed, words=words).description == shown
        [entry] = history_embed([failed], words=words).fields
        assert str(entry.value).splitlines()[0] == shown
        decision = AlertDecision((), False, error)
        alert = alert_embed(failed, decision, result_url=None, words=words)
        assert shown in [field.value for field in alert.fields]
        timeline = timeline_embed(FOLLOW, [failed], words=words)
        assert str(timeline.description).endswith(f": {shown}")


def test_history_shows_each_stream_in_its_canonical_form() -> None:
    """One stream reads the same in every session, however each announcement spelled it."""
    spellings = ["https://www.twitch.tv/SomeOne/?utm_source=discord", "https://twitch.tv/someone"]
    embed = history_embed([session(stream_url=url) for url in spellings], words=ENGLISH_WORDS)
    shown = [str(field.value).splitlines()[-1] for field in embed.fields]
    assert shown == ["https://twitch.tv/someone"] * 2


def test_what_is_shown_of_a_stream_is_outside_text_kept_harmless() -> None:
    announced = StreamDetails.of(
        "  @everyone  ", "**Huge** [giveaway] " + "x" * 400, "javascript:alert(1)"
    )
    assert announced.thumbnail_url is None and len(announced.title or "") == 256
    controls = StreamDetails.of("Some\x00one", "Late\nnight\x1b[31m show\x7f")
    assert (controls.streamer, controls.title) == ("Someone", "Late night[31m show")

    rtmp = result_embed(
        session(stream_url="rtmp://ingest.test/live", stream=announced), words=ENGLISH_WORDS
    )
    [stream] = [f for f in rtmp.to_dict()["fields"] if f["name"] == "Stream"]
    assert stream["value"].startswith("\\*\\*Huge\\*\\* \\[giveaway\\]")  # no link to rtmp://
    assert rtmp.author.name == "@everyone" and rtmp.author.url is None
    assert_within_limits(rtmp)

    odd = "https://streams.test/watch (live)"
    linked = result_embed(
        session(stream_url=odd, stream=StreamDetails.of(None, "Live")), words=ENGLISH_WORDS
    )
    [stream] = [f for f in linked.to_dict()["fields"] if f["name"] == "Stream"]
    assert stream["value"] == "[Live](https://streams.test/watch%20%28live%29)"
