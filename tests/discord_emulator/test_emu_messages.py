"""Messages through the real discord.py client: storage, limits, permissions, mentions."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import discord
import pytest
from discord.ext import commands

from standins.discord import DiscordEmulator
from tests.discord_emulator.emu_helpers import ClientRunner, World


@pytest.fixture
async def bot(
    emulator: DiscordEmulator, world: World, runner: ClientRunner
) -> commands.AutoShardedBot:
    client = runner.make_bot()
    await runner.start(client, world.bot.token)
    return client


def text_channel(bot: commands.AutoShardedBot, channel_id: int) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_send_is_stored_and_read_back(
    emulator: DiscordEmulator, world: World, bot: commands.AutoShardedBot
) -> None:
    channel = text_channel(bot, world.general)
    embed = discord.Embed(title="Live", description="now").add_field(name="a", value="b")
    sent = await channel.send("hello", embed=embed)
    stored = emulator.messages(world.general)[-1]
    assert stored.id == sent.id and stored.content == "hello"
    assert stored.data["author"]["id"] == str(world.bot.user_id)
    assert stored.data["embeds"][0]["type"] == "rich"
    assert "nonce" in stored.data  # discord.py 2.7 always sends one
    fetched = await channel.fetch_message(sent.id)
    assert fetched.content == "hello" and fetched.embeds[0].title == "Live"
    history = [m.id async for m in channel.history(limit=10)]
    assert history == [sent.id]

    edited = await sent.edit(content="hello again")
    assert edited.edited_at is not None
    stored = emulator.get_message(sent.id)
    assert stored.content == "hello again" and stored.data["embeds"][0]["title"] == "Live"
    assert stored.history[0]["content"] == "hello"

    await sent.add_reaction("\N{WHITE HEAVY CHECK MARK}")
    assert emulator.get_message(sent.id).reactions == {
        "\N{WHITE HEAVY CHECK MARK}": [world.bot.user_id]
    }
    await sent.remove_reaction("\N{WHITE HEAVY CHECK MARK}", bot.user)  # type: ignore[arg-type]
    assert emulator.get_message(sent.id).reactions["\N{WHITE HEAVY CHECK MARK}"] == []


async def test_permission_and_lookup_errors(
    emulator: DiscordEmulator, world: World, bot: commands.AutoShardedBot
) -> None:
    with pytest.raises(discord.Forbidden) as missing_perms:
        await text_channel(bot, world.readonly).send("hi")
    assert missing_perms.value.code == 50013
    with pytest.raises(discord.Forbidden) as missing_access:
        await text_channel(bot, world.hidden).send("hi")
    assert missing_access.value.code == 50001

    general = text_channel(bot, world.general)
    await emulator.delete_channel(world.general)
    with pytest.raises(discord.NotFound) as unknown:
        await general.send("hi")
    assert unknown.value.code == 10003
    news = text_channel(bot, world.news)
    with pytest.raises(discord.NotFound) as unknown_message:
        await news.fetch_message(1234567890123)
    assert unknown_message.value.code == 10008
    # Only 401/403/429 count against Discord's invalid-request limit; nothing was retried.
    assert [r.status for r in emulator.requests("POST /channels/*/messages")] == [403, 403, 404]


async def test_embed_links_and_reactions_need_their_permission(
    emulator: DiscordEmulator, world: World, bot: commands.AutoShardedBot
) -> None:
    theirs = await emulator.post_message(
        world.readonly, world.alice, "rules", check_permissions=False
    )
    message = await text_channel(bot, world.readonly).fetch_message(theirs.id)
    with pytest.raises(discord.Forbidden) as no_react:
        await message.add_reaction("\N{THUMBS UP SIGN}")
    assert no_react.value.code == 50013
    with pytest.raises(discord.Forbidden) as not_mine:
        await message.edit(content="mine now")
    assert not_mine.value.code == 50005


async def test_limits_answer_invalid_form_body(
    emulator: DiscordEmulator, world: World, bot: commands.AutoShardedBot
) -> None:
    channel = text_channel(bot, world.general)
    with pytest.raises(discord.HTTPException) as too_long:
        await channel.send("x" * 2001)
    assert too_long.value.status == 400 and too_long.value.code == 50035
    assert "content" in too_long.value.text

    big = [discord.Embed(description="d" * 4096) for _ in range(2)]
    with pytest.raises(discord.HTTPException) as too_big:
        await channel.send(embeds=big)
    assert too_big.value.code == 50035
    assert "Embed size exceeds maximum size of 6000" in too_big.value.text

    many = discord.Embed(title="t" * 257)
    for index in range(26):
        many.add_field(name=str(index), value="v")
    with pytest.raises(discord.HTTPException) as fields:
        await channel.send(embed=many)
    assert fields.value.code == 50035
    errors = emulator.requests("POST /channels/*/messages")
    assert [e.status for e in errors] == [400, 400, 400]
    assert emulator.messages(world.general) == []


async def test_allowed_mentions_decide_who_is_pinged(
    emulator: DiscordEmulator, world: World, bot: commands.AutoShardedBot
) -> None:
    channel = text_channel(bot, world.general)
    text = f"@everyone <@{world.alice}> <@&{world.mods}>"
    quiet = await channel.send(text, allowed_mentions=discord.AllowedMentions.none())
    stored = emulator.get_message(quiet.id)
    assert stored.data["mentions"] == [] and stored.data["mention_roles"] == []
    assert stored.data["mention_everyone"] is False

    role_only = await channel.send(
        text,
        allowed_mentions=discord.AllowedMentions(
            everyone=False, users=False, roles=[discord.Object(world.mods)]
        ),
    )
    stored = emulator.get_message(role_only.id)
    assert stored.data["mention_roles"] == [str(world.mods)] and stored.data["mentions"] == []
    assert stored.data["mention_everyone"] is False

    # Without allowed_mentions everything in the content is parsed; the bot lacks
    # MENTION_EVERYONE, so @everyone stays silent while users and mentionable roles ping.
    loud = await channel.send(text)
    stored = emulator.get_message(loud.id)
    assert [u["id"] for u in stored.data["mentions"]] == [str(world.alice)]
    assert stored.data["mention_roles"] == [str(world.mods)]
    assert stored.data["mention_everyone"] is False

    by_mod = await emulator.post_message(world.general, world.bob, "@everyone look")
    assert by_mod.data["mention_everyone"] is True


async def test_allowed_mentions_list_at_most_100_users(
    emulator: DiscordEmulator, world: World, bot: commands.AutoShardedBot
) -> None:
    channel = text_channel(bot, world.general)
    users = [discord.Object(world.alice + n) for n in range(101)]
    with pytest.raises(discord.HTTPException) as refused:
        await channel.send("hi", allowed_mentions=discord.AllowedMentions(users=users))
    assert refused.value.status == 400 and refused.value.code == 50035
    assert "allowed_mentions.users" in str(refused.value)
    sent = await channel.send("hi", allowed_mentions=discord.AllowedMentions(users=users[:100]))
    assert emulator.get_message(sent.id).content == "hi"


async def test_nonce_with_enforce_nonce_is_idempotent(
    emulator: DiscordEmulator, world: World, bot: commands.AutoShardedBot
) -> None:
    channel = text_channel(bot, world.general)
    first = await channel.send("once", nonce="outbox-42")
    second = await channel.send("once", nonce="outbox-42")
    assert first.id == second.id
    assert len(emulator.messages(world.general)) == 1
    other = await channel.send("twice", nonce="outbox-43")
    assert other.id != first.id


async def test_events_reach_the_client(
    emulator: DiscordEmulator, world: World, bot: commands.AutoShardedBot
) -> None:
    seen = await _next_message(bot, emulator.post_message(world.general, world.alice, "yo"))
    assert seen.content == "yo" and seen.author.id == world.alice
    await emulator.post_webhook_message(world.general, "Chatsight Feed", "from a webhook")
    hooked = await bot.wait_for("message", timeout=5)
    assert hooked.webhook_id is not None and hooked.content == "from a webhook"
    await emulator.delete_channel(world.news)
    deleted = await bot.wait_for("guild_channel_delete", timeout=5)
    assert deleted.id == world.news


async def _next_message(bot: commands.AutoShardedBot, action: Awaitable[object]) -> discord.Message:
    waiter = asyncio.ensure_future(bot.wait_for("message", timeout=5))
    await action
    return await waiter


async def test_a_nonce_is_recalled_only_within_its_window(
    emulator: DiscordEmulator, world: World, bot: commands.AutoShardedBot
) -> None:
    """Discord forgets a nonce after a few minutes; the emulator after ``nonce_window``."""
    emulator.config.nonce_window = 0.05
    channel = text_channel(bot, world.general)
    first = await channel.send("once", nonce="outbox-44")
    await asyncio.sleep(0.1)
    again = await channel.send("once", nonce="outbox-44")
    assert again.id != first.id
    assert len(emulator.messages(world.general)) == 2
