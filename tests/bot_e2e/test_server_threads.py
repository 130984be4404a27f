"""Threads and forum channels end to end: announcements in a watched forum's posts and in the
threads of a watched channel, /tag and "Tag stream" in a thread, and a followed stream whose
thread was archived.

The stream site on 127.0.0.1 (``tests/stream_site.py``) stands in for Twitch, as in
test_server_stream_pages.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from standins.discord import StoredMessage
from standins.discord.permissions import SEND_MESSAGES, SEND_MESSAGES_IN_THREADS
from tests.bot_e2e.harness import World, running_world
from tests.bot_e2e.server_helpers import (
    FAST,
    TAGGING_REACTION,
    TIMELINE,
    configure,
    convo_ids,
    final_answer,
    lines,
    posted_urls,
    replies_to,
    watch,
)
from tests.bot_e2e.tag_steps import TAGS_TITLE, private_reply, tag
from tests.stream_site import Channel, stream_site

FORUM = 15
STREAM = "https://streams.example/live?tags=Fun,Outdoors"


async def notifier(world: World) -> int:
    user = world.emu.create_user("StreamAlerts", bot=True)
    await world.emu.add_member(world.guild, user)
    return user


def media(site_base: str, channel: str, signature: int, tags: str) -> str:
    return f"{site_base}/hls/{channel}/360p.m3u8?sig={signature}&tags={tags}"


async def test_a_page_announced_in_a_watched_forum_is_tagged_once_however_it_comes(
    tmp_path: Path,
) -> None:
    async with (
        stream_site(alice=Channel(tags="Gaming"), bob=Channel(tags="Music")) as site,
        running_world(tmp_path) as world,
    ):
        forum = await world.emu.create_channel(world.guild, "go-live", type=FORUM)
        await watch(world, forum)
        with pytest.raises(ValueError, match="no channel of that type"):  # results: not a forum
            await configure(world, "results", {"channel": forum})
        bot_user = await notifier(world)
        post = await world.emu.create_forum_post(
            forum, bot_user, "Alice", f"Alice is live! {site.page('Alice')}"
        )
        timeline = await world.emu.wait_for_message(post.id, replies_to(post.id))
        assert timeline.data["embeds"][0]["title"] == TIMELINE
        assert "Gaming" in timeline.data["embeds"][0]["description"]
        assert world.emu.get_message(post.id).reactions == {TAGGING_REACTION: [world.app.user_id]}

        # The same stream in another form, in a second post: nothing new.
        again = await world.emu.create_forum_post(
            forum, bot_user, "Alice again", f"Still live: {site.page('Alice', '/?utm_source=x')}"
        )
        # The first post edited: Bob's page is new, Alice's moved from first to second place.
        await world.emu.edit_message_as_author(
            post.id, post.id, content=f"Bob {site.page('bob')} and Alice {site.page('Alice')}"
        )
        bob = await world.emu.wait_for_message(post.id, lambda m: "Music" in str(m.data["embeds"]))

        assert bob.data["message_reference"]["message_id"] == str(post.id)
        assert posted_urls(world) == [
            media(site.base, "alice", 1, "Gaming"),
            media(site.base, "bob", 2, "Music"),
        ]
        assert len(convo_ids(world)) == 2  # the edit's new stream has its own convoId
        assert world.emu.get_message(again.id).reactions == {}
        assert world.bot_messages(again.id) == []
        assert "Gaming" in lines(world.emu.get_message(timeline.id))[-1]  # its own timeline


async def test_an_edit_to_a_message_the_bot_never_cached_is_scanned(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        await watch(world, world.channel)
        bot_user = await notifier(world)
        soon = await world.emu.post_message(world.channel, bot_user, "Going live soon!")
        await world.restart_bot()  # discord.py's message cache starts empty

        await world.emu.edit_message_as_author(world.channel, soon.id, content=f"LIVE: {STREAM}")
        timeline = await world.emu.wait_for_message(world.channel, replies_to(soon.id))
        assert "Fun, Outdoors" in timeline.data["embeds"][0]["description"]
        assert posted_urls(world) == [STREAM]

        # A link preview arriving later (Discord's own update) names the same stream: no more.
        await world.emu.update_message(world.channel, soon.id, {"embeds": [{"url": STREAM}]})
        marker = await world.emu.post_message(world.channel, bot_user, "https://streams.example/x")
        await world.emu.wait_for_message(world.channel, replies_to(marker.id))
        assert posted_urls(world) == [STREAM, "https://streams.example/x"]


async def test_a_thread_of_a_watched_channel_is_watched_and_results_may_go_to_a_thread(
    tmp_path: Path,
) -> None:
    async with running_world(tmp_path) as world:
        await watch(world, world.channel)
        starter = await world.emu.post_message(world.channel, world.member, "schedule")
        thread = await world.emu.create_thread(
            world.channel, "tonight", world.member, message_id=starter.id
        )
        results = await world.emu.create_thread(world.channel, "results", world.moderator)
        await configure(world, "results", {"channel": results})
        announcement = await world.emu.post_message(thread, world.member, f"now: {STREAM}")

        timeline = await world.wait_for_embed(TIMELINE, results)
        link = f"https://discord.com/channels/{world.guild}/{thread}/{announcement.id}"
        assert link in timeline.content
        assert world.emu.get_message(announcement.id).reactions == {
            TAGGING_REACTION: [world.app.user_id]
        }


async def test_tag_in_a_thread_needs_send_messages_in_threads(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        thread = await world.emu.create_thread(world.channel, "watch party", world.member)
        await world.emu.set_overwrite(world.channel, world.app.user_id, deny=SEND_MESSAGES)
        await tag(world, STREAM, channel=thread)
        answer = await world.wait_for_embed(TAGS_TITLE, thread)
        assert "Fun, Outdoors" in str(answer.data["embeds"][0])

        await world.emu.set_overwrite(
            world.channel, world.app.user_id, deny=SEND_MESSAGES_IN_THREADS
        )
        refused = await private_reply(world, await tag(world, STREAM, channel=thread))
        assert "send messages in threads" in refused.lower()
        assert len(convo_ids(world)) == 1


async def test_the_tag_stream_menu_answers_in_the_thread(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        thread = await world.emu.create_thread(world.channel, "watch party", world.member)
        message = await world.emu.post_message(thread, world.member, f"look {STREAM}")
        await world.emu.set_overwrite(world.channel, world.app.user_id, deny=SEND_MESSAGES)
        menu = await world.emu.send_message_command(
            world.guild, thread, world.member, "Tag stream", message.id
        )
        assert "Tagging 1 stream" in (await final_answer(world, menu))["content"]
        timeline = await world.emu.wait_for_message(thread, replies_to(message.id))
        assert "Fun, Outdoors" in timeline.data["embeds"][0]["description"]

        await world.emu.set_overwrite(
            world.channel, world.app.user_id, deny=SEND_MESSAGES_IN_THREADS
        )
        again = await world.emu.post_message(thread, world.member, "https://streams.example/b")
        menu = await world.emu.send_message_command(
            world.guild, thread, world.member, "Tag stream", again.id
        )
        refused = (await final_answer(world, menu))["content"]
        assert "send messages in threads" in refused.lower()
        assert len(convo_ids(world)) == 1


@pytest.mark.parametrize("timeline_deleted", [False, True])
async def test_a_follow_in_an_archived_thread_unarchives_it_to_edit_or_post_its_timeline(
    tmp_path: Path, timeline_deleted: bool
) -> None:
    async with running_world(tmp_path, **FAST) as world:
        forum = await world.emu.create_channel(world.guild, "go-live", type=FORUM)
        await watch(world, forum)
        await configure(world, "autotag interval", {"minutes": 1})
        post = await world.emu.create_forum_post(forum, world.member, "live", STREAM)
        timeline = await world.emu.wait_for_message(post.id, replies_to(post.id))
        samples = len(lines(timeline))
        await world.emu.update_thread(post.id, archived=True)
        if timeline_deleted:  # by a moderator, meanwhile
            await world.emu.messaging.delete(timeline)

        def shown(message: StoredMessage) -> bool:
            return replies_to(post.id)(message) and len(lines(message)) > samples

        now = await world.emu.wait_for_message(post.id, shown, timeout=10)
        assert world.emu.state.channels[post.id].thread.archived is False  # type: ignore[union-attr]
        if timeline_deleted:  # posted anew, which unarchives the thread by itself
            assert now.id != timeline.id
        else:
            assert now.id == timeline.id
            assert world.emu.requests(f"PATCH /channels/{post.id}")
        assert [m.id for m in world.bot_messages(post.id)] == [now.id]


async def test_posts_and_thread_messages_announced_while_the_bot_was_away_are_tagged(
    tmp_path: Path,
) -> None:
    """A forum post and a message in a watched channel's thread come to nobody while the bot is
    away: it scans the active threads under its watched channels when it is back, and asks
    nothing of a watched channel where nothing was posted meanwhile."""
    async with running_world(tmp_path) as world:
        forum = await world.emu.create_channel(world.guild, "go-live", type=FORUM)
        quiet = await world.emu.create_channel(world.guild, "quiet")
        for channel in (forum, world.channel, quiet):
            await watch(world, channel)
        bot_user = await notifier(world)
        thread = await world.emu.create_thread(world.channel, "watch party", world.member)
        # A thread watched by itself, in a channel that is not.
        other = await world.emu.create_channel(world.guild, "other")
        watched_thread = await world.emu.create_thread(other, "streams", world.member)
        await watch(world, watched_thread)
        await world.stop_bot()
        post = await world.emu.create_forum_post(
            forum, bot_user, "Alice", "Alice is live! https://streams.example/alice?tags=Gaming"
        )
        in_thread = await world.emu.post_message(
            thread, bot_user, "Bob is live! https://streams.example/bob?tags=Music"
        )
        alone = await world.emu.post_message(
            watched_thread, bot_user, "Carol is live! https://streams.example/carol?tags=Chat"
        )
        await world.start_bot()

        for place, announcement, tags in (
            (post.id, post, "Gaming"),
            (thread, in_thread, "Music"),
            (watched_thread, alone, "Chat"),
        ):
            timeline = await world.emu.wait_for_message(place, replies_to(announcement.id))
            assert tags in timeline.data["embeds"][0]["description"]
            assert world.emu.get_message(announcement.id).reactions == {
                TAGGING_REACTION: [world.app.user_id]
            }
        for unasked in (quiet, world.channel, other):
            assert not world.emu.requests(f"GET /channels/{unasked}/messages")
