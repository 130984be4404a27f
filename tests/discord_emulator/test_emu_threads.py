"""Threads and forum channels as Discord documents them (docs/discord-notes.md, Channels), seen
through the real discord.py client and raw REST: types, events, permissions and archiving."""

from __future__ import annotations

import asyncio

import discord
import pytest
from discord.ext import commands

from standins.discord import DiscordEmulator
from standins.discord.permissions import (
    MANAGE_CHANNELS,
    MANAGE_THREADS,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
)
from tests.discord_emulator.emu_helpers import (
    ClientRunner,
    World,
    raw_request,
    validate_component,
    validate_response,
)

FORUM, PUBLIC_THREAD, PRIVATE_THREAD = 15, 11, 12


@pytest.fixture
async def bot(
    emulator: DiscordEmulator, world: World, runner: ClientRunner
) -> commands.AutoShardedBot:
    client = runner.make_bot()
    await runner.start(client, world.bot.token)
    return client


async def call(
    emulator: DiscordEmulator, world: World, method: str, path: str, body: object = None
) -> tuple[int, object]:
    raw = await raw_request(method, emulator.api_base + path, token=world.bot.token, json_body=body)
    return raw.status, raw.body


def code(body: object) -> object:
    assert isinstance(body, dict)
    return body.get("code")


async def test_a_forum_post_is_a_thread_whose_first_message_shares_its_id(
    emulator: DiscordEmulator, world: World, bot: commands.AutoShardedBot
) -> None:
    forum = await emulator.create_channel(world.guild, "go-live", type=FORUM)
    created = asyncio.ensure_future(bot.wait_for("thread_create", timeout=5))
    seen = asyncio.ensure_future(bot.wait_for("message", timeout=5))
    post = await emulator.create_forum_post(forum, world.alice, "Alice is live", "twitch.tv/a")

    thread = await created
    assert thread.id == post.id and isinstance(thread.parent, discord.ForumChannel)
    assert thread.type is discord.ChannelType.public_thread and thread.owner_id == world.alice
    message = await seen
    assert message.id == post.id and message.channel == thread
    status, body = await call(emulator, world, "GET", f"/channels/{thread.id}")
    assert status == 200
    validate_response("GET", "/channels/{channel_id}", 200, body)
    validate_component("ThreadResponse", body)
    assert isinstance(body, dict) and body["parent_id"] == str(forum)
    status, body = await call(emulator, world, "GET", f"/channels/{forum}")
    validate_component("GuildChannelResponse", body)
    assert isinstance(body, dict) and body["last_message_id"] == str(post.id)


async def test_a_forum_takes_no_messages_of_its_own(
    emulator: DiscordEmulator, world: World
) -> None:
    forum = await emulator.create_channel(world.guild, "go-live", type=FORUM)
    status, body = await call(
        emulator, world, "POST", f"/channels/{forum}/messages", {"content": "hi"}
    )
    assert (status, code(body)) == (400, 40058)


async def test_a_thread_needs_send_messages_in_threads_not_send_messages(
    emulator: DiscordEmulator, world: World
) -> None:
    starter = await emulator.post_message(world.general, world.alice, "a stream")
    thread = await emulator.create_thread(world.general, "chat", world.alice, message_id=starter.id)
    assert thread == starter.id
    await emulator.set_overwrite(world.general, world.bot.user_id, deny=SEND_MESSAGES)
    post = {"content": "in the thread"}
    assert (await call(emulator, world, "POST", f"/channels/{thread}/messages", post))[0] == 200
    status, body = await call(emulator, world, "POST", f"/channels/{world.general}/messages", post)
    assert (status, code(body)) == (403, 50013)

    await emulator.set_overwrite(
        world.general, world.bot.user_id, allow=SEND_MESSAGES, deny=SEND_MESSAGES_IN_THREADS
    )
    status, body = await call(emulator, world, "POST", f"/channels/{thread}/messages", post)
    assert (status, code(body)) == (403, 50013)


async def test_an_archived_thread_refuses_edits_and_a_post_unarchives_it(
    emulator: DiscordEmulator, world: World, bot: commands.AutoShardedBot
) -> None:
    thread = await emulator.create_thread(world.general, "chat", world.alice)
    status, sent = await call(
        emulator, world, "POST", f"/channels/{thread}/messages", {"content": "v1"}
    )
    assert status == 200 and isinstance(sent, dict)
    archived = asyncio.ensure_future(bot.wait_for("thread_update", timeout=5))
    await emulator.update_thread(thread, archived=True)
    assert (await archived)[1].archived is True

    message = f"/channels/{thread}/messages/{sent['id']}"
    status, body = await call(emulator, world, "PATCH", message, {"content": "v2"})
    assert (status, code(body)) == (400, 50083)
    status, body = await call(emulator, world, "PUT", f"{message}/reactions/%F0%9F%8F%B7/@me")
    assert (status, code(body)) == (400, 50083)

    unarchived = asyncio.ensure_future(bot.wait_for("thread_join", timeout=5))
    status, _ = await call(
        emulator, world, "POST", f"/channels/{thread}/messages", {"content": "v3"}
    )
    assert status == 200
    assert (await unarchived).archived is False
    assert (await call(emulator, world, "PATCH", message, {"content": "v2"}))[0] == 200


async def test_a_member_unarchives_a_thread_but_only_a_moderator_a_locked_one(
    emulator: DiscordEmulator, world: World
) -> None:
    thread = await emulator.create_thread(world.general, "chat", world.alice)
    await call(emulator, world, "POST", f"/channels/{thread}/messages", {"content": "joined"})
    await emulator.update_thread(thread, archived=True)
    status, body = await call(emulator, world, "PATCH", f"/channels/{thread}", {"archived": False})
    assert status == 200
    validate_component("ThreadResponse", body)
    assert isinstance(body, dict) and body["thread_metadata"]["archived"] is False
    assert body["member"]["user_id"] == str(world.bot.user_id)

    await emulator.update_thread(thread, archived=True, locked=True)
    status, body = await call(emulator, world, "PATCH", f"/channels/{thread}", {"archived": False})
    assert (status, code(body)) == (403, 50013)
    status, body = await call(
        emulator, world, "POST", f"/channels/{thread}/messages", {"content": "hello?"}
    )
    assert (status, code(body)) == (400, 160005)

    await emulator.set_overwrite(world.general, world.bot.user_id, allow=MANAGE_THREADS)
    status, _ = await call(emulator, world, "PATCH", f"/channels/{thread}", {"archived": False})
    assert status == 200


async def test_a_private_thread_is_seen_only_by_its_members(
    emulator: DiscordEmulator, world: World, runner: ClientRunner
) -> None:
    private = await emulator.create_thread(world.general, "staff", world.alice, private=True)
    public = await emulator.create_thread(world.general, "open", world.alice)
    archived = await emulator.create_thread(world.general, "old", world.alice)
    await emulator.update_thread(archived, archived=True)
    bot = runner.make_bot()
    await runner.start(bot, world.bot.token)

    guild = bot.get_guild(world.guild)
    assert guild is not None
    assert [t.id for t in guild.threads] == [public]  # GUILD_CREATE: active, visible ones
    status, body = await call(emulator, world, "GET", f"/channels/{private}")
    assert (status, code(body)) == (403, 50001)
    assert emulator.state.channels[private].type == PRIVATE_THREAD
    assert emulator.state.channels[public].type == PUBLIC_THREAD


async def test_a_command_in_a_thread_carries_the_threads_permissions(
    emulator: DiscordEmulator, world: World
) -> None:
    thread = await emulator.create_thread(world.general, "chat", world.alice)
    await emulator.set_overwrite(world.general, world.bot.user_id, deny=SEND_MESSAGES_IN_THREADS)
    emulator.state.commands[(world.bot.application_id, None)] = [
        {"id": "1", "name": "ping", "type": 1, "description": "ping", "options": []}
    ]
    interaction = await emulator.send_slash_command(world.guild, thread, world.alice, "ping")

    payload = interaction.payload
    assert payload["channel"]["type"] == PUBLIC_THREAD
    assert payload["channel"]["parent_id"] == str(world.general)
    assert not int(payload["app_permissions"]) & SEND_MESSAGES_IN_THREADS
    await emulator.update_thread(thread, archived=True)
    with pytest.raises(ValueError, match="archived thread"):
        await emulator.send_slash_command(world.guild, thread, world.alice, "ping")


async def test_a_deleted_thread_reaches_bots_as_thread_delete(
    emulator: DiscordEmulator, world: World, bot: commands.AutoShardedBot
) -> None:
    created = asyncio.ensure_future(bot.wait_for("thread_create", timeout=5))
    thread = await emulator.create_thread(world.general, "chat", world.alice)
    await created
    deleted = asyncio.ensure_future(bot.wait_for("thread_delete", timeout=5))
    await emulator.delete_channel(thread)
    assert (await deleted).id == thread
    assert bot.get_channel(thread) is None


async def test_a_channel_option_offers_only_its_channel_types(
    emulator: DiscordEmulator, world: World
) -> None:
    forum = await emulator.create_channel(world.guild, "go-live", type=FORUM)
    thread = await emulator.create_thread(world.general, "chat", world.alice)
    option = {"name": "where", "type": 7, "description": "a channel", "channel_types": [0, 5, 11]}
    emulator.state.commands[(world.bot.application_id, None)] = [
        {"id": "1", "name": "pick", "type": 1, "description": "pick", "options": [option]}
    ]
    for allowed in (world.general, world.news, thread):
        await emulator.send_slash_command(
            world.guild, world.general, world.alice, "pick", {"where": allowed}
        )
    with pytest.raises(ValueError, match="no channel of that type"):
        await emulator.send_slash_command(
            world.guild, world.general, world.alice, "pick", {"where": forum}
        )


async def test_posting_in_a_thread_joins_it(
    emulator: DiscordEmulator, world: World, bot: commands.AutoShardedBot
) -> None:
    created = asyncio.ensure_future(bot.wait_for("thread_create", timeout=5))
    await emulator.create_thread(world.general, "chat", world.alice)
    thread = await created
    assert thread.me is None
    joined = asyncio.ensure_future(bot.wait_for("thread_join", timeout=5))
    await thread.send("hello")
    assert (await joined).me is not None
    _, body = await call(emulator, world, "GET", f"/channels/{thread.id}")
    assert isinstance(body, dict) and body["member"]["user_id"] == str(world.bot.user_id)


async def test_modify_channel_renames_a_channel_only_with_manage_channels(
    emulator: DiscordEmulator, world: World
) -> None:
    rename = {"name": "streams"}
    status, body = await call(emulator, world, "PATCH", f"/channels/{world.general}", rename)
    assert (status, code(body)) == (403, 50013)
    await emulator.set_overwrite(world.general, world.bot.user_id, allow=MANAGE_CHANNELS)
    status, body = await call(emulator, world, "PATCH", f"/channels/{world.general}", rename)
    assert status == 200
    validate_component("GuildChannelResponse", body)
    assert isinstance(body, dict) and body["name"] == "streams"
