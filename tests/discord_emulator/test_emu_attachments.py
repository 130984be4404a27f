"""Attachments as Discord takes them: multipart ``payload_json`` plus ``files[n]``, listed on the
message with their size (and an image's width and height), served at their ``url``."""

from __future__ import annotations

import io
import json
import struct
import zlib

import aiohttp
import discord
import pytest
from discord.ext import commands

from standins.discord import DiscordEmulator
from standins.discord.permissions import ATTACH_FILES
from tests.discord_emulator.emu_helpers import ClientRunner, World


def png(width: int, height: int) -> bytes:
    """A real (one-colour, greyscale) PNG of that size."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
async def bot(world: World, runner: ClientRunner) -> commands.AutoShardedBot:
    client = runner.make_bot()
    await runner.start(client, world.bot.token)
    return client


def channel_of(bot: commands.AutoShardedBot, channel_id: int) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_a_file_is_listed_on_its_message_and_served_at_its_url(
    emulator: DiscordEmulator, world: World, bot: commands.AutoShardedBot
) -> None:
    picture, notes = png(640, 320), b"plain words"
    sent = await channel_of(bot, world.general).send(
        "the week",
        files=[
            discord.File(io.BytesIO(picture), "week.png"),
            discord.File(io.BytesIO(notes), "notes.txt", description="notes"),
        ],
    )
    stored = emulator.get_message(sent.id).data["attachments"]
    assert [(a["filename"], a["size"], a["content_type"]) for a in stored] == [
        ("week.png", len(picture), "image/png"),
        ("notes.txt", len(notes), "text/plain"),
    ]
    assert (stored[0]["width"], stored[0]["height"]) == (640, 320)
    assert "width" not in stored[1] and stored[1]["description"] == "notes"
    # discord.py reads them back as Attachments, and the URL serves the very bytes.
    assert [a.filename for a in sent.attachments] == ["week.png", "notes.txt"]
    assert await sent.attachments[0].read() == picture
    fetched = await channel_of(bot, world.general).fetch_message(sent.id)
    assert (fetched.attachments[0].width, fetched.attachments[0].height) == (640, 320)


async def test_files_need_attach_files_and_must_all_be_uploaded(
    emulator: DiscordEmulator, world: World, bot: commands.AutoShardedBot
) -> None:
    await emulator.set_overwrite(world.general, world.bot.user_id, deny=ATTACH_FILES)
    channel = channel_of(bot, world.general)
    with pytest.raises(discord.Forbidden):
        await channel.send("x", file=discord.File(io.BytesIO(b"1"), "a.txt"))
    await emulator.set_overwrite(world.general, world.bot.user_id, allow=ATTACH_FILES)

    form = aiohttp.FormData()
    payload = {"content": "x", "attachments": [{"id": 0, "filename": "a.txt"}, {"id": 1}]}
    form.add_field("payload_json", json.dumps(payload))
    form.add_field("files[0]", b"1", filename="a.txt")
    headers = {"Authorization": f"Bot {world.bot.token}"}
    url = f"{emulator.api_base}/channels/{world.general}/messages"
    async with aiohttp.ClientSession() as http, http.post(url, data=form, headers=headers) as r:
        assert r.status == 400
        body = await r.json()
    assert body["errors"]["attachments"]["1"]["_errors"][0]["code"] == "ATTACHMENT_NOT_FOUND"
