"""The choices offered while typing stay inside Discord's limits (docs/discord-notes.md): at
most 25, each name 1 to 100 characters and each value at most 100."""

from __future__ import annotations

from bot.domain.records import SessionRecord, SessionSource, SessionState
from bot.domain.stream_details import StreamDetails
from bot.domain.tags import TagResult
from bot.language.catalogue import ENGLISH_WORDS
from bot.rendering.discovery import session_choices, tag_choices


def test_a_long_tag_list_is_completed_only_while_it_fits_a_choice() -> None:
    published = [f"Tag{n:02}" for n in range(40)] + ["Outdoors", "Cloud"]
    typed = ", ".join(f"Tag{n:02}" for n in range(14)) + ", ou"

    assert [c.value for c in tag_choices(published, "Fun, ou")] == ["Fun, Outdoors", "Fun, Cloud"]
    assert tag_choices(published, typed) == []  # 96 characters typed: no completion fits in 100
    offered = tag_choices(published, "", taken=["tag00"])
    assert len(offered) == 25 and "Tag00" not in {c.value for c in offered}


def test_sessions_are_named_readably_within_a_choices_length() -> None:
    sessions = [
        SessionRecord(
            convo_id=f"{n:08x}-0000-5000-8000-000000000000",
            stream_url="https://www.twitch.tv/Alice?utm_source=x",
            source=SessionSource.SLASH,
            state=SessionState.COMPLETED if n else SessionState.RUNNING,
            created_at_ms=0,
            updated_at_ms=0,
            result=TagResult(("Gaming", "Chatting", "Fun", "Music", "Food")) if n else None,
            stream=StreamDetails("Alice", "x" * 200) if n == 2 else StreamDetails(),
        )
        for n in range(30)
    ]
    offered = session_choices(sessions, "", now_ms=7_200_000, words=ENGLISH_WORDS)

    assert len(offered) == 25
    assert offered[0].name == "2 h ago · running · twitch.tv/alice"
    assert offered[1].name == "2 h ago · Gaming, Chatting, Fun, Music · twitch.tv/alice"
    assert offered[2].name.startswith("2 h ago · Gaming, Chatting, Fun, Music · Alice: xxx")
    assert all(1 <= len(c.name) <= 100 and len(c.value) <= 100 for c in offered)
    assert [c.value for c in session_choices(sessions, "00000001", 0, words=ENGLISH_WORDS)] == [
        sessions[1].convo_id
    ]
