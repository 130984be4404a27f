"""The weekly digest's rules: due times in the server's zone (across daylight saving), a changed
schedule never posting twice in one week, the week's figures, its picture's size, and its message
in the server's language."""

from __future__ import annotations

import struct
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.digest_figures import DigestFigures, digest_figures
from bot.domain.digests import (
    DAY_MS,
    DigestSchedule,
    UnknownTimeZone,
    first_due_ms,
    next_due_ms,
    time_zones,
    zone,
)
from bot.domain.records import Origin, SessionRecord, SessionSource, SessionState
from bot.domain.server_records import AlertRecord
from bot.domain.tags import TagResult
from bot.language.catalogue import ENGLISH_WORDS, words_for
from bot.rendering.digest import digest_embed, shown_digest
from bot.rendering.digest_chart import tags_chart_png

BERLIN = "Europe/Berlin"


def ms(year: int, month: int, day: int, hour: int = 0, minute: int = 0, tz: str = "UTC") -> int:
    return round(datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(tz)).timestamp() * 1000)


def test_the_next_due_time_is_that_weekday_and_hour_in_the_zone() -> None:
    # Thursday 3 December 2026, 10:00 UTC (11:00 in Berlin).
    now = ms(2026, 12, 3, 10)
    assert next_due_ms(3, 12, BERLIN, now) == ms(2026, 12, 3, 12, tz=BERLIN)  # today, later
    assert next_due_ms(3, 11, BERLIN, now) == ms(2026, 12, 10, 11, tz=BERLIN)  # now: next week
    assert next_due_ms(0, 9, "UTC", now) == ms(2026, 12, 7, 9)
    # A Monday 09:00 in Berlin stays 09:00 there when the clocks change (29 March 2026).
    before = next_due_ms(0, 9, BERLIN, ms(2026, 3, 22, 12))
    after = next_due_ms(0, 9, BERLIN, before)
    assert datetime.fromtimestamp(before / 1000, UTC).hour == 8  # CET
    assert datetime.fromtimestamp(after / 1000, UTC).hour == 7  # CEST
    assert after - before == 7 * DAY_MS - 3_600_000


def test_a_changed_schedule_waits_six_days_after_the_last_digest() -> None:
    monday = ms(2026, 12, 7, 9)
    posted = DigestSchedule(1, weekday=2, hour=9, last_due_at_ms=monday)
    # Moved to Wednesday on Monday: not this Wednesday, two days after the last one.
    assert first_due_ms(posted, monday + 3_600_000) == ms(2026, 12, 16, 9)
    fresh = DigestSchedule(1, weekday=2, hour=9)
    assert first_due_ms(fresh, monday + 3_600_000) == ms(2026, 12, 9, 9)


def test_only_iana_zones_are_taken_and_offered() -> None:
    assert zone(BERLIN).key == BERLIN
    for name in ("Mars/Olympus", "../etc/passwd", ""):
        with pytest.raises(UnknownTimeZone):
            zone(name)
    assert "Europe/Berlin" in time_zones("berl")
    assert len(time_zones("")) == 25


def session(convo: str, at: int, tags: tuple[str, ...], url: str) -> SessionRecord:
    return SessionRecord(
        convo,
        url,
        SessionSource.SLASH,
        SessionState.COMPLETED,
        at,
        at,
        Origin(1, 2),
        result=TagResult(tags),
    )


def test_the_weeks_figures() -> None:
    end = ms(2026, 12, 7, 9, tz=BERLIN)
    sessions = [
        session("a", ms(2026, 11, 30, 10, tz=BERLIN), ("Fun", "Music"), "https://twitch.tv/x"),
        session("b", ms(2026, 12, 1, 23, 30, tz=BERLIN), ("Fun",), "https://www.twitch.tv/X"),
        session("c", ms(2026, 12, 6, 20, tz=BERLIN), ("Calm", "Fun", "Fun"), "https://y.test/a"),
    ]
    alerts = [
        AlertRecord("a", 1, 2, ("Fun",), 1_000, acknowledged_at_ms=61_000),
        AlertRecord("b", 1, 2, ("Fun",), 1_000, acknowledged_at_ms=181_000),
        AlertRecord("c", 1, 2, ("Fun",), 1_000),
    ]
    figures = digest_figures(sessions, alerts, end, BERLIN)
    assert (figures.sessions, figures.streams) == (3, 2)  # twitch.tv/x, however spelled
    assert figures.top_tags == (("Fun", 3), ("Calm", 1), ("Music", 1))
    assert (figures.alerts_raised, figures.alerts_acknowledged) == (3, 2)
    assert figures.median_ack_ms == 120_000
    assert [day.isoformat() for day in (figures.days[0], figures.days[-1])] == [
        "2026-11-30",
        "2026-12-06",
    ]
    # 23:30 in Berlin on 1 December counts for that day, not the UTC one.
    assert figures.daily["Fun"] == (1, 1, 0, 0, 0, 0, 1)

    quiet = digest_figures([], [], end, BERLIN)
    assert (quiet.top_tags, quiet.median_ack_ms, quiet.daily) == ((), None, {})


@pytest.mark.parametrize("tags", [(), ("Fun", "$x^$", "_hidden", "a" * 80)])
def test_the_picture_is_a_png_of_at_least_600_by_300(tags: tuple[str, ...]) -> None:
    end = ms(2026, 12, 7, 9)
    sessions = [session(str(n), end - n * DAY_MS // 2, tags, "https://s.test") for n in range(1, 9)]
    picture = tags_chart_png(digest_figures(sessions, [], end, "UTC"))
    assert picture[:8] == b"\x89PNG\r\n\x1a\n" and picture[12:16] == b"IHDR"
    width, height = struct.unpack(">II", picture[16:24])
    assert width >= 600 and height >= 300


def week_figures() -> DigestFigures:
    end = ms(2026, 12, 7, 9, tz=BERLIN)
    sessions = [
        session("a", ms(2026, 11, 30, 10, tz=BERLIN), ("Fun", "Music"), "https://twitch.tv/x"),
        session("b", ms(2026, 12, 1, 23, 30, tz=BERLIN), ("Fun",), "https://y.test/a"),
    ]
    alerts = [AlertRecord("a", 1, 2, ("Fun",), 1_000, acknowledged_at_ms=8_000_000)]
    return digest_figures(sessions, alerts, end, BERLIN)


def test_the_digest_message_in_english() -> None:
    schedule = DigestSchedule(7, due_at_ms=ms(2026, 12, 7, 9, tz=BERLIN), timezone=BERLIN)
    embed = digest_embed(week_figures(), schedule, words=ENGLISH_WORDS)
    assert embed.title == "Weekly digest"
    assert embed.description == "What this server's streams were heard with, 30 Nov to 6 Dec."
    assert [(f.name, f.value) for f in embed.fields] == [
        ("Streams tagged", "2"),
        ("Sessions heard", "2"),
        ("Top tags", "Fun (2), Music (1)"),
        ("Alerts raised", "1"),
        ("Alerts acknowledged", "1"),
        ("Time to acknowledge (median)", "2.2 h"),
    ]
    assert embed.footer.text == f"Digest 7-{schedule.due_at_ms} · {BERLIN}"
    assert shown_digest(embed) == f"7-{schedule.due_at_ms}"


def test_each_language_writes_the_weeks_days_its_own_way() -> None:
    """The day of the month as a number, unpadded: Japanese reads 12月6日, not 12月06日."""
    schedule = DigestSchedule(7, due_at_ms=ms(2026, 12, 7, 9, tz=BERLIN), timezone=BERLIN)
    described = {
        language: digest_embed(week_figures(), schedule, words=words_for(language)).description
        for language in ("ja", "de", "pt-BR")
    }
    assert described == {
        "ja": "11月30日〜12月6日 にこのサーバーの配信で検出されたタグ。",
        "de": "Womit die Streams dieses Servers vom 30. Nov bis 6. Dez erkannt wurden.",
        "pt-BR": (
            "As tags com que as transmissões deste servidor foram ouvidas, de 30 de nov a 6 de dez."
        ),
    }


def test_a_polish_servers_digest_reads_polish_and_is_still_found_by_a_resend() -> None:
    schedule = DigestSchedule(7, due_at_ms=ms(2026, 12, 7, 9, tz=BERLIN), timezone=BERLIN)
    embed = digest_embed(week_figures(), schedule, words=words_for("pl"))
    assert embed.title == "Podsumowanie tygodnia"
    assert embed.description == "Tagi usłyszane w transmisjach tego serwera od 30 lis do 6 gru."
    assert [f.name for f in embed.fields][:3] == [
        "Otagowane transmisje",
        "Wysłuchane sesje",
        "Najczęstsze tagi",
    ]
    assert embed.fields[2].value == "Fun (2), Music (1)"  # tags stay as Chatsight wrote them
    assert embed.fields[5].value == "2,2 godz."  # a decimal comma, as Polish writes it
    # Found by its footer whatever the server's language is when the resend looks.
    assert shown_digest(embed) == f"7-{schedule.due_at_ms}"
