"""The weekly digest end to end: posted with its PNG at the configured time in the server's time
zone, once however often the bot restarts, pinging nobody; none without a channel."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp

from bot.domain.clock import now_ms
from bot.domain.digests import WEEKDAYS
from bot.language.catalogue import entries
from standins.discord import StoredMessage
from standins.discord.permissions import ATTACH_FILES
from tests.bot_e2e.harness import World, running_world
from tests.bot_e2e.server_helpers import (
    ALERT,
    configure,
    custom_ids,
    fields,
    final_answer,
    run_command,
)
from tests.bot_e2e.tag_steps import eventually, tag

DIGEST = "Weekly digest"
ZONE = "America/New_York"
FLAGGED = "https://streams.example/live?tags=Fun,Violence"


def next_hour(zone: str) -> datetime:
    """The next full hour in ``zone``, at least a minute away."""
    local = datetime.now(ZoneInfo(zone)) + timedelta(minutes=1)
    return local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def clock_at(moment: datetime) -> Callable[[], int]:
    """The wall clock, moved on to a second past ``moment``."""
    ahead = round(moment.timestamp() * 1000) + 1_000 - now_ms()
    return lambda: now_ms() + ahead


async def png_size(url: str) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk, as fetched from the attachment's URL."""
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        data = await response.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def digests(world: World, channel: int) -> list[StoredMessage]:
    return [
        m
        for m in world.bot_messages(channel)
        if any(e.get("title") == DIGEST for e in m.data["embeds"])
    ]


async def digest_line(world: World) -> str:
    """What ``/chatsight-config show`` says of the digest."""
    answer = await final_answer(world, await run_command(world, "chatsight-config show"))
    shown = {f["name"]: f["value"] for f in answer["embeds"][0]["fields"]}
    return str(shown["Weekly digest"])


async def test_the_digest_posts_its_png_at_the_configured_hour_once(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        results = await world.emu.create_channel(world.guild, "results")
        alerts = await world.emu.create_channel(world.guild, "mod-alerts")
        await configure(world, "results", {"channel": results})
        await configure(world, "alerts channel", {"channel": alerts})
        await configure(world, "alerts role", {"role": world.mods_role})
        await configure(world, "alerts tags-add", {"tags": "Violence"})
        await tag(world, FLAGGED)
        alert = await world.wait_for_embed(ALERT, alerts)
        (ack_id,) = [b for b in custom_ids(alert) if b.startswith("chatsight:ack:")]
        click = await world.emu.click_button(alerts, alert.id, world.moderator, ack_id)
        await click.wait_response()

        due = next_hour(ZONE)
        options = {"weekday": WEEKDAYS[due.weekday()], "hour": due.hour, "timezone": ZONE}
        assert f"at {due.hour:02d}:00 ({ZONE})" in await configure(world, "digest time", options)
        line = await digest_line(world)
        assert line.startswith(f"{WEEKDAYS[due.weekday()]}s at {due.hour:02d}:00 ({ZONE})")
        assert f"in <#{results}>, next <t:{int(due.timestamp())}:R>" in line
        await asyncio.sleep(0.3)
        assert digests(world, results) == []  # not before its hour

        world.clock = clock_at(due)
        await world.restart_bot()
        posted = await world.wait_for_embed(DIGEST, results)
        shown = fields(posted)
        assert (shown["Streams tagged"], shown["Sessions heard"]) == ("1", "1")
        assert shown["Top tags"] == "Fun (1), Violence (1)"
        assert (shown["Alerts raised"], shown["Alerts acknowledged"]) == ("1", "1")
        assert shown["Time to acknowledge (median)"].endswith(" s")
        [picture] = posted.data["attachments"]
        assert picture["filename"].endswith(".png") and picture["content_type"] == "image/png"
        width, height = await png_size(picture["url"])
        assert width >= 600 and height >= 300
        assert posted.data["embeds"][0]["image"]["url"] == f"attachment://{picture['filename']}"
        assert (posted.data["mentions"], posted.data["mention_roles"]) == ([], [])
        assert posted.data["mention_everyone"] is False

        # Once the post is recorded the next one is a week on (a stop before that leaves it
        # leased, and the next process finds the post instead of sending it again); restarted
        # again within the same hour, and a while later: still the one digest.
        next_week = f"next <t:{int((due + timedelta(days=7)).timestamp())}:R>"

        async def recorded() -> bool | None:
            return next_week in await digest_line(world) or None

        await eventually(recorded, within_s=10.0)
        await world.restart_bot()
        await asyncio.sleep(0.5)
        assert [m.id for m in digests(world, results)] == [posted.id]
        assert digests(world, alerts) == []
        assert next_week in await digest_line(world)


async def test_no_channel_no_digest_and_show_says_why(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        due = next_hour("UTC")
        options = {"weekday": WEEKDAYS[due.weekday()], "hour": due.hour}
        assert "(UTC)" in await configure(world, "digest time", options)
        assert (await digest_line(world)).startswith("none: it goes to the results channel")

        world.clock = clock_at(due)
        await world.restart_bot()
        await asyncio.sleep(0.5)
        assert digests(world, world.channel) == []
        await configure(world, "digest off")
        assert await digest_line(world) == "off"


async def test_a_channel_the_bot_cannot_attach_files_in_loses_the_week_and_show_says_so(
    tmp_path: Path,
) -> None:
    async with running_world(tmp_path) as world:
        results = await world.emu.create_channel(world.guild, "results")
        await configure(world, "results", {"channel": results})
        await world.emu.set_overwrite(results, world.app.user_id, deny=ATTACH_FILES)
        due = next_hour("UTC")
        options = {"weekday": WEEKDAYS[due.weekday()], "hour": due.hour}
        await configure(world, "digest time", options)

        world.clock = clock_at(due)
        await world.restart_bot()
        line = await eventually(lambda: failed_line(world))
        assert "Missing Permissions" in line
        assert f"next <t:{int((due + timedelta(days=7)).timestamp())}:R>" in line
        assert digests(world, results) == []


async def failed_line(world: World) -> str | None:
    line = await digest_line(world)
    return line if "the last attempt failed" in line else None


async def test_a_polish_servers_digest_reads_polish(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        results = await world.emu.create_channel(world.guild, "results")
        await configure(world, "results", {"channel": results})
        await tag(world, FLAGGED)
        await world.wait_for_embed(entries("en")["results.tags.title"])
        await world.emu.set_guild_locale(world.guild, "pl")
        due = next_hour("UTC")
        options = {"weekday": WEEKDAYS[due.weekday()], "hour": due.hour}
        await configure(world, "digest time", options)

        # Due the moment the bot starts: it waits for the server's language from the gateway.
        world.clock = clock_at(due)
        await world.restart_bot()
        posted = await world.wait_for_embed("Podsumowanie tygodnia", results)
        shown = fields(posted)
        assert (shown["Otagowane transmisje"], shown["Wysłuchane sesje"]) == ("1", "1")
        assert shown["Najczęstsze tagi"] == "Fun (1), Violence (1)"  # tags as Chatsight wrote
        assert digests(world, results) == []  # no English one beside it
