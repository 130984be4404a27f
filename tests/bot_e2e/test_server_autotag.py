"""Auto-tagging end to end: stream notifiers announce, the real bot reacts and answers."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.server import autotag
from tests.bot_e2e.harness import World, running_world
from tests.bot_e2e.outages import writes_refused
from tests.bot_e2e.server_helpers import (
    TAGGING_REACTION,
    TIMELINE,
    embed_titled,
    final_answer,
    posted_urls,
    replies_to,
    run_command,
    watch,
)

STREAM = "https://streams.example/live?tags=Fun,Outdoors"


async def notifier(world: World) -> int:
    """Another bot in the server, as a stream-notifier bot would be."""
    user = world.emu.create_user("StreamAlerts", bot=True)
    await world.emu.add_member(world.guild, user)
    return user


async def test_a_notifier_bots_announcement_is_tagged_and_answered(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        await watch(world, world.channel)
        bot_user = await notifier(world)
        announcement = await world.emu.post_message(
            world.channel, bot_user, f"Alice is live! {STREAM}"
        )

        timeline = await world.emu.wait_for_message(world.channel, replies_to(announcement.id))
        assert timeline.data["embeds"][0]["title"] == TIMELINE
        assert "Fun, Outdoors" in timeline.data["embeds"][0]["description"]
        assert world.emu.get_message(announcement.id).reactions == {
            TAGGING_REACTION: [world.app.user_id]
        }
        assert timeline.data["mentions"] == []  # the notifier is not pinged by the reply
        assert posted_urls(world) == [STREAM]


async def test_a_webhook_embed_in_an_announcement_channel_is_tagged(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        news = await world.emu.create_channel(world.guild, "go-live", type=5)
        await watch(world, news)
        announcement = await world.emu.post_webhook_message(
            news, "Twitch Feed", embeds=[{"title": "Alice went live", "url": STREAM}]
        )

        timeline = await world.emu.wait_for_message(news, replies_to(announcement.id))
        assert "Fun, Outdoors" in timeline.data["embeds"][0]["description"]
        assert TAGGING_REACTION in world.emu.get_message(announcement.id).reactions
        assert posted_urls(world) == [STREAM]


async def test_results_go_to_the_results_channel_with_a_link_back(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        results = await world.emu.create_channel(world.guild, "stream-tags")
        await watch(world, world.channel)
        await run_command(world, "chatsight-config results", {"channel": results})
        announcement = await world.emu.post_message(world.channel, world.member, STREAM)

        timeline = await world.wait_for_embed(TIMELINE, results)
        link = f"https://discord.com/channels/{world.guild}/{world.channel}/{announcement.id}"
        assert link in timeline.content
        assert not any(map(embed_titled(TIMELINE), world.emu.messages(world.channel)))


async def test_the_same_url_twice_in_the_window_is_tagged_once(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        await watch(world, world.channel)
        bot_user = await notifier(world)
        first = await world.emu.post_message(world.channel, bot_user, f"Live: {STREAM}")
        await world.emu.wait_for_message(world.channel, replies_to(first.id))
        again = await world.emu.post_message(world.channel, bot_user, f"Still live: {STREAM}")
        other = "https://streams.example/other?tags=Food"
        marker = await world.emu.post_message(world.channel, bot_user, other)
        await world.emu.wait_for_message(world.channel, replies_to(marker.id))

        assert posted_urls(world) == [STREAM, other]
        assert world.emu.get_message(again.id).reactions == {}
        assert not any(replies_to(again.id)(m) for m in world.emu.messages(world.channel))


async def test_an_unwatched_channel_is_ignored(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        chatter = await world.emu.create_channel(world.guild, "chatter")
        await watch(world, world.channel)
        ignored = await world.emu.post_message(chatter, world.member, STREAM)
        other = "https://streams.example/other"
        marker = await world.emu.post_message(world.channel, world.member, other)
        await world.emu.wait_for_message(world.channel, replies_to(marker.id))

        assert posted_urls(world) == [other]
        assert world.emu.get_message(ignored.id).reactions == {}
        assert world.bot_messages(chatter) == []


async def test_the_tag_stream_menu_tags_any_message_on_demand(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        message = await world.emu.post_message(world.channel, world.member, f"watch {STREAM}")
        menu = await world.emu.send_message_command(
            world.guild, world.channel, world.moderator, "Tag stream", message.id
        )

        answer = await final_answer(world, menu)
        assert answer["flags"] & 64
        assert "Tagging 1 stream" in answer["content"]
        timeline = await world.emu.wait_for_message(world.channel, replies_to(message.id))
        assert "Fun, Outdoors" in timeline.data["embeds"][0]["description"]
        assert posted_urls(world) == [STREAM]


async def test_the_tag_stream_menu_says_when_a_message_has_no_stream(tmp_path: Path) -> None:
    async with running_world(tmp_path, tag_cooldown_seconds=600.0) as world:
        message = await world.emu.post_message(world.channel, world.member, "hello there")
        menu = await world.emu.send_message_command(
            world.guild, world.channel, world.member, "Tag stream", message.id
        )

        answer = await final_answer(world, menu)
        assert answer["content"] == "I found no stream URL in that message."
        assert posted_urls(world) == []
        assert not any(map(embed_titled(TIMELINE), world.emu.messages(world.channel)))

        # Nothing started, so nothing of the member's cooldown was spent.
        linked = await world.emu.post_message(world.channel, world.member, f"watch {STREAM}")
        menu = await world.emu.send_message_command(
            world.guild, world.channel, world.member, "Tag stream", linked.id
        )
        assert "Tagging 1 stream" in (await final_answer(world, menu))["content"]


async def test_an_announcement_the_database_cannot_take_is_tagged_once_it_can(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database that takes no write (locked, read-only after a failover, its disk full) when
    the announcement comes: Discord sends it once, so the bot holds it, says so in one line (no
    traceback), and tags it once the database is back, once."""
    monkeypatch.setattr(autotag, "HELD_RETRY_S", 0.1)
    async with running_world(tmp_path) as world:
        await watch(world, world.channel)
        bot_user = await notifier(world)
        async with writes_refused(world, monkeypatch):
            with caplog.at_level(logging.WARNING):
                announcement = await world.emu.post_message(
                    world.channel, bot_user, f"Alice is live! {STREAM}"
                )
                line = f"message {announcement.id} not auto-tagged yet"
                async with asyncio.timeout(5):
                    while not any(line in r.getMessage() for r in caplog.records):
                        await asyncio.sleep(0.02)
                await asyncio.sleep(0.3)  # tries that meet the outage too
        assert not [r for r in caplog.records if r.exc_info is not None]

        timeline = await world.emu.wait_for_message(world.channel, replies_to(announcement.id))
        assert "Fun, Outdoors" in timeline.data["embeds"][0]["description"]
        await asyncio.sleep(0.5)
        assert posted_urls(world) == [STREAM]  # one session, though it was tried many times
        assert world.emu.get_message(announcement.id).reactions == {
            TAGGING_REACTION: [world.app.user_id]
        }


async def test_an_announcement_posted_while_the_bot_was_away_is_tagged_when_it_is_back(
    tmp_path: Path,
) -> None:
    """A deploy or a restart: Discord delivers the message to nobody, so the bot scans the
    watched channel's recent messages when it connects again; once, however often it does."""
    async with running_world(tmp_path) as world:
        bot_user = await notifier(world)
        earlier = "https://streams.example/earlier?tags=Music"
        before = await world.emu.post_message(world.channel, bot_user, f"Earlier: {earlier}")
        await watch(world, world.channel)  # the message above came before: never tagged
        await world.stop_bot()
        announcement = await world.emu.post_message(
            world.channel, bot_user, f"Alice is live! {STREAM}"
        )
        await world.start_bot()

        timeline = await world.emu.wait_for_message(world.channel, replies_to(announcement.id))
        assert "Fun, Outdoors" in timeline.data["embeds"][0]["description"]
        assert TAGGING_REACTION in world.emu.get_message(announcement.id).reactions
        await world.restart_bot()
        await asyncio.sleep(0.5)
        assert posted_urls(world) == [STREAM]
        assert world.emu.messages(world.channel, include_ephemeral=False)[-1].id == timeline.id
        assert world.emu.get_message(before.id).reactions == {}


async def test_a_busy_channel_is_caught_up_from_its_newest_announcements(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More came while the bot was away than it scans again: the newest, whose streams are the
    likeliest still live, in the order they came."""
    monkeypatch.setattr(autotag, "CATCH_UP_MESSAGES", 2)  # the cog takes it when loaded
    async with running_world(tmp_path) as world:
        await watch(world, world.channel)
        bot_user = await notifier(world)
        await world.stop_bot()
        streams = [f"https://streams.example/{name}?tags=Fun" for name in ("a", "b", "c")]
        announced = [
            await world.emu.post_message(world.channel, bot_user, f"Live! {stream}")
            for stream in streams
        ]
        await world.start_bot()
        await world.emu.wait_for_message(world.channel, replies_to(announced[-1].id))
        await asyncio.sleep(0.3)
        assert posted_urls(world) == streams[1:]
        assert world.emu.get_message(announced[0].id).reactions == {}


async def test_the_catch_up_reaches_no_further_back_than_the_dedupe_window(tmp_path: Path) -> None:
    """Older, the stream's claim has run out, so a scan would tag an old announcement again."""
    async with running_world(tmp_path, autotag_window_seconds=0.5) as world:
        await watch(world, world.channel)
        bot_user = await notifier(world)
        announcement = await world.emu.post_message(world.channel, bot_user, f"Live! {STREAM}")
        await world.emu.wait_for_message(world.channel, replies_to(announcement.id))
        await asyncio.sleep(0.6)
        await world.restart_bot()
        await asyncio.sleep(0.5)
        assert posted_urls(world) == [STREAM]
