"""/chatsight status and history, and what a member sees when a command hits a bug."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from tests.bot_e2e.harness import running_world
from tests.bot_e2e.outages import writes_refused
from tests.bot_e2e.tag_steps import (
    TAGS_TITLE,
    answers_to,
    private_embed,
    private_reply,
    session_of,
    slash,
    started,
    tag,
)

STREAM = "https://streams.example/live?tags=Fun,Relaxed"


async def test_status_shows_the_latest_session_or_the_one_named(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        empty = await slash(world, "chatsight status")
        assert await private_reply(world, empty) == (
            "No tagging session has been started in this channel."
        )

        done = session_of(await started(world, await tag(world, STREAM)))
        await world.wait_for_embed(TAGS_TITLE)
        world.sim.faults.stick_next_session("running")
        pending = session_of(await started(world, await tag(world, STREAM + "&later")))

        latest = await private_embed(world, await slash(world, "chatsight status"))
        assert latest["title"] == "Tagging in progress"
        assert pending in latest["footer"]["text"]

        named = await private_embed(
            world, await slash(world, "chatsight status", {"session": done})
        )
        assert named["title"] == TAGS_TITLE
        assert named["description"] == "Fun, Relaxed"
        assert done in named["footer"]["text"]


async def test_status_of_another_channels_session_is_refused(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        elsewhere = await world.emu.create_channel(world.guild, "elsewhere")
        foreign = session_of(await started(world, await tag(world, STREAM, channel=elsewhere)))
        for asked in (foreign, "not-a-session"):
            interaction = await slash(world, "chatsight status", {"session": asked})
            text = await private_reply(world, interaction)
            assert text == "I know no tagging session by that id in this channel."
            assert all(m.ephemeral_for == world.member for m in answers_to(world, interaction))


async def test_history_lists_the_channels_sessions_with_their_tags(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        await tag(world, STREAM)
        await world.wait_for_embed(TAGS_TITLE)
        await tag(world, "https://streams.example/quiet?tags=Music")
        await world.emu.wait_for(lambda: len(world.bot_messages()) >= 4)

        history = await private_embed(world, await slash(world, "chatsight history"))
        assert history["title"] == "Recent tagging sessions"
        values = [field["value"] for field in history["fields"]]
        assert len(values) == 2
        assert values[0].startswith("Music\n")
        assert values[1].startswith("Fun, Relaxed\n")
        assert all(" · completed" in field["name"] for field in history["fields"])


async def test_a_bug_in_a_command_gets_a_reference_that_is_in_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_world(tmp_path) as world:
        # The one place we break our own code on purpose: a bug nobody expected.
        async def broken(*_: object, **__: object) -> None:
            raise RuntimeError("boom")

        monkeypatch.setattr(world.running.tagging, "begin", broken)
        with caplog.at_level(logging.ERROR, logger="bot.app.tree"):
            interaction = await tag(world, STREAM)
            text = await private_reply(world, interaction)
        found = re.fullmatch(r"Something went wrong \(reference ([0-9A-F]{6})\)\. .*", text)
        assert found is not None, text
        [record] = [r for r in caplog.records if found.group(1) in r.getMessage()]
        assert record.exc_info is not None
        assert record.exc_info[0] is RuntimeError
        assert "boom" not in text
        # The public "thinking…" answer did not stay behind: only the private reply is left.
        assert [m.ephemeral_for for m in answers_to(world, interaction)] == [world.member]
        assert world.sim.requests_to("/stream/tag") == []


async def test_a_command_the_database_cannot_save_is_answered_privately_not_as_a_bug(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database that takes no write (locked, read-only after a failover, its disk full): the
    member is told to try again, and the operator's log has one line, no traceback."""
    async with running_world(tmp_path) as world:
        async with writes_refused(world, monkeypatch):
            with caplog.at_level(logging.WARNING, logger="bot.app.tree"):
                text = await private_reply(world, await tag(world, STREAM))
        assert (
            text
            == "I couldn't save that: my database is unavailable right now. Try again in a minute."
        )
        [record] = [r for r in caplog.records if r.name == "bot.app.tree"]
        assert record.levelno == logging.WARNING and record.exc_info is None
        assert record.getMessage().startswith("/tag not saved: database: ")
        assert world.sim.requests_to("/stream/tag") == []  # Chatsight was never asked

        await tag(world, STREAM)  # writes work again: tagged as ever
        await world.wait_for_embed(TAGS_TITLE)
