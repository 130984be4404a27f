"""The command tree's one error policy (bot/app/tree.py): which failures a member is told about
in words, and which are bugs with a reference."""

from __future__ import annotations

import discord

from bot.app.tree import explain
from bot.language.catalogue import words_for
from bot.server.following import FollowNotSampled
from bot.store.base import StoreUnavailable

ENGLISH = words_for(discord.Locale.american_english)


def test_a_database_that_took_no_write_asks_the_member_to_try_again() -> None:
    assert explain(StoreUnavailable("database: database is locked"), words=ENGLISH) == (
        "I couldn't save that: my database is unavailable right now. Try again in a minute."
    )


def test_a_follow_stored_without_its_first_sample_is_not_asked_again() -> None:
    """Trying again would follow the stream twice: the member hears it is followed."""
    text = explain(FollowNotSampled("database: database is locked"), words=ENGLISH)
    assert text is not None
    assert text.startswith("I'm following that stream")
    assert "Try again" not in text


def test_anything_else_is_a_bug_to_be_logged_with_a_reference() -> None:
    assert explain(RuntimeError("boom"), words=ENGLISH) is None
