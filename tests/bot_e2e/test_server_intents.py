"""Without the Message Content intent the bot runs on: it asks only for what its application has,
reconnects without the intent when Discord refuses it anyway (4014), keeps /tag, the menu and
every accepted result, and says where it says its configuration that auto-tagging waits."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from standins.discord import StoredMessage
from standins.discord.intents import MESSAGE_CONTENT
from tests.bot_e2e.harness import World, running_world
from tests.bot_e2e.server_helpers import final_answer, replies_to, run_command
from tests.bot_e2e.tag_steps import TAGS_TITLE, session_of, started, tag, titled

STREAM = "https://streams.example/live?tags=Fun,Relaxed"
WAITING = "auto-tagging waits for the Message Content intent"


def asks_for_content(world: World) -> list[bool]:
    """What each of the bot's connected gateway sessions identified with."""
    sessions = world.emu.gateway.sessions_of(world.app.user_id)
    return [bool(s.intents & MESSAGE_CONTENT) for s in sessions if s.ws is not None]


async def show_note(world: World) -> str:
    answer = await final_answer(world, await run_command(world, "chatsight-config show"))
    fields = {field["name"]: str(field["value"]) for field in answer["embeds"][0]["fields"]}
    return fields["Note"]


async def tags_once(world: World, url: str = STREAM) -> StoredMessage:
    """A /tag from start to its result in the channel."""
    session = session_of(await started(world, await tag(world, url)))

    def its_result(message: StoredMessage) -> bool:
        titles = [embed.get("title") for embed in message.data["embeds"]]
        return titles == [TAGS_TITLE] and session_of(message) == session

    return await world.emu.wait_for_message(world.channel, its_result)


async def test_an_application_without_the_intent_connects_without_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot")
    async with running_world(tmp_path, start=False) as world:
        world.emu.set_application_flags(world.app.user_id, 0)
        await world.start_bot()

        assert asks_for_content(world) == [False]
        result = await tags_once(world)
        assert result.data["embeds"][0]["description"] == "Fun, Relaxed"
        note = await show_note(world)
        assert "Auto-tagging waits for the Message Content intent" in note
        assert "Developer Portal (Bot → Privileged Gateway Intents → Message Content" in note
        # The menu's interaction carries the message it was used on: it still tags.
        message = await world.emu.post_message(world.channel, world.member, f"live: {STREAM}")
        menu = await world.emu.send_message_command(
            world.guild, world.channel, world.moderator, "Tag stream", message.id
        )
        assert "Tagging 1 stream" in (await final_answer(world, menu))["content"]
        await world.emu.wait_for_message(world.channel, replies_to(message.id))
    waiting = [r.getMessage() for r in caplog.records if WAITING in r.getMessage()]
    assert waiting and "does not have it" in waiting[0]
    assert "Developer Portal" in waiting[0]


async def test_a_refused_intent_is_given_up_and_nothing_accepted_is_lost(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The flags claim the intent, so the bot asks for it; the gateway refuses it when the bot
    identifies again, with a session under way whose webhook comes meanwhile."""
    caplog.set_level(logging.WARNING, logger="bot")
    async with running_world(tmp_path) as world:
        assert asks_for_content(world) == [True]
        world.sim.faults.stick_next_session("running")
        under_way = session_of(await started(world, await tag(world, STREAM)))

        world.emu.refuse_intents(world.app.user_id, MESSAGE_CONTENT)
        await world.emu.invalidate_session(world.app.user_id)
        await world.sim.finish(under_way)
        [webhook] = await world.sim.wait_for_webhooks(1)
        assert webhook.delivered  # the listener never stopped
        await world.emu.wait_until_ready(world.app.user_id)

        assert asks_for_content(world) == [False]
        first = await world.wait_for_embed(TAGS_TITLE)
        assert session_of(first) == under_way
        after = await tags_once(world, "https://streams.example/other?tags=Music")
        assert after.data["embeds"][0]["description"] == "Music"
        assert len(titled(world, TAGS_TITLE)) == 2
        assert "Auto-tagging waits" in await show_note(world)
    assert any("close code 4014" in r.getMessage() for r in caplog.records)


async def test_every_shard_refused_at_once_still_ends_in_one_connection_each(
    tmp_path: Path,
) -> None:
    """Each shard identified with the intent and was refused: discord.py hands on one refusal
    and keeps the others queued, which must not end the bot once it has reconnected."""
    async with running_world(tmp_path, start=False, shard_count=3) as world:
        world.emu.refuse_intents(world.app.user_id, MESSAGE_CONTENT)
        await world.start_bot()

        await tags_once(world)
        assert asks_for_content(world) == [False, False, False]
        assert world.running.is_ready()
