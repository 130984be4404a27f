"""Stopping a follow end to end: /chatsight unfollow and the "Stop following" button, each for
moderators (and the button also for the member who asked), and sampling really stops."""

from __future__ import annotations

import asyncio
from pathlib import Path

from standins.discord import StoredMessage
from tests.bot_e2e.harness import World, running_world
from tests.bot_e2e.server_helpers import (
    EPHEMERAL,
    FAST,
    MINUTE_S,
    TIMELINE,
    convo_ids,
    custom_ids,
    fields,
    final_answer,
    follow_announced,
    message_when,
    replies_to,
    run_command,
)

STREAM = "https://streams.example/live?tags=Fun"


def stop_button(timeline: StoredMessage) -> str:
    (custom_id,) = [c for c in custom_ids(timeline) if c.startswith("chatsight:unfollow:")]
    return custom_id


async def sampled_more_than(world: World, count: int) -> None:
    await world.emu.wait_for(lambda: len(convo_ids(world)) > count or None, timeout=10)


async def assert_no_more_samples(world: World) -> None:
    """Three intervals pass without a new session: nothing is left on the schedule."""
    taken = len(convo_ids(world))
    await asyncio.sleep(3 * MINUTE_S)
    assert len(convo_ids(world)) == taken


async def test_the_stop_button_is_for_moderators_and_stops_sampling(tmp_path: Path) -> None:
    async with running_world(tmp_path, **FAST) as world:
        outsider = world.emu.create_user("carol")
        await world.emu.add_member(world.guild, outsider)
        timeline = await follow_announced(world, STREAM)
        button = stop_button(timeline)

        refused = await world.emu.click_button(world.channel, timeline.id, outsider, button)
        answer = await final_answer(world, refused)
        assert answer["flags"] & EPHEMERAL
        assert answer["content"] == "Only moderators or the member who asked can stop this."
        await sampled_more_than(world, 1)  # still followed

        click = await world.emu.click_button(world.channel, timeline.id, world.moderator, button)
        await click.wait_response()
        stopped = world.emu.get_message(timeline.id)
        assert fields(stopped)["Status"] == f"Stopped: stopped by <@{world.moderator}>"
        assert stopped.data["components"] == []
        assert stopped.data["mentions"] == []
        await assert_no_more_samples(world)


async def test_the_member_who_asked_can_stop_their_follow(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        asked = await run_command(world, "tag", {"url": STREAM, "follow": True}, user=world.member)
        timeline = await world.wait_for_embed(TIMELINE)
        # The timeline replies to the command's answer: the follow keeps the origin it was given.
        answer = await asked.wait_response()
        assert answer.message_id is not None and replies_to(answer.message_id)(timeline)

        click = await world.emu.click_button(
            world.channel, timeline.id, world.member, stop_button(timeline)
        )
        await click.wait_response()
        stopped = world.emu.get_message(timeline.id)
        assert fields(stopped)["Status"] == f"Stopped: stopped by <@{world.member}>"
        assert stopped.data["components"] == []


async def test_unfollow_is_for_moderators_and_stops_the_channels_follows(
    tmp_path: Path,
) -> None:
    async with running_world(tmp_path, **FAST) as world:
        timeline = await follow_announced(world, STREAM)

        refused = await final_answer(
            world, await run_command(world, "chatsight unfollow", user=world.member)
        )
        assert refused["flags"] & EPHEMERAL
        assert refused["content"] == "You need the Manage Messages permission."
        await sampled_more_than(world, 1)  # still followed

        answer = await final_answer(world, await run_command(world, "chatsight unfollow"))
        assert answer["content"] == "Stopped following 1 stream(s)."
        stopped = await message_when(
            world, timeline.id, lambda m: fields(m)["Status"].startswith("Stopped")
        )
        assert fields(stopped)["Status"] == f"Stopped: stopped by <@{world.moderator}>"
        assert stopped.data["components"] == []
        await assert_no_more_samples(world)

        again = await final_answer(world, await run_command(world, "chatsight unfollow"))
        assert again["content"] == "Nothing is followed here."


async def test_a_stream_followed_here_already_is_not_followed_twice(tmp_path: Path) -> None:
    """However its link is spelled, and whoever started the follow (here an announcement):
    the member is told privately, with a link to its timeline, and nothing starts or takes
    their cooldown. Once the follow is stopped the stream can be followed again."""
    async with running_world(tmp_path) as world:
        timeline = await follow_announced(world, STREAM)
        store = world.running.core.store
        async with asyncio.timeout(5):  # the timeline's id is stored once it is posted
            while not [
                f for f in await store.channel_follows(world.channel) if f.timeline_message_id
            ]:
                await asyncio.sleep(0.02)
        taken = len(convo_ids(world))
        spelled = "https://www.streams.example/live/?tags=Fun&utm_source=discord"
        again = {"url": spelled, "follow": True}
        refused = await final_answer(
            world, await run_command(world, "tag", again, user=world.member)
        )
        assert refused["flags"] & EPHEMERAL
        link = f"https://discord.com/channels/{world.guild}/{world.channel}/{timeline.id}"
        assert refused["content"] == (
            f"That stream is already followed in this channel: see its [timeline]({link}),"
            " where it can be stopped."
        )
        assert len(convo_ids(world)) == taken

        # One session of it, not a follow, is still the member's to ask for, at once.
        await run_command(world, "tag", {"url": spelled}, user=world.member)
        await world.emu.wait_for(lambda: len(convo_ids(world)) > taken or None)

        await final_answer(world, await run_command(world, "chatsight unfollow"))
        await run_command(world, "tag", {"url": spelled, "follow": True}, user=world.moderator)
        await world.emu.wait_for(lambda: len(convo_ids(world)) > taken + 1 or None)
