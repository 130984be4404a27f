"""Sustained-signal alerts end to end (issue 17): a followed stream alerts once, when a flagged
tag is heard in 2 of its last 3 samples, is edited as samples come in, re-pings once if nobody
acknowledges it, and a stream that ends raises none."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from standins.discord import StoredMessage
from tests.bot_e2e.harness import World, running_world
from tests.bot_e2e.server_helpers import (
    ALERT,
    FAST,
    MINUTE_S,
    configure,
    convo_ids,
    custom_ids,
    fields,
    follow_announced,
    message_when,
    replies_to,
)
from tests.bot_e2e.tag_steps import eventually
from tests.bot_e2e.test_server_alerts import AlertSetup, set_up_alerts

REPING = "Moderator alert still unacknowledged"
# Flagged in samples 1, 4, 5 and 6; heard calm from the 7th on. The simulator splits samples at
# "|", written %7C: a link in a message ends at a bare "|".
FLAGGED_1_4_5_6 = "https://streams.example/live?tags=" + "%7C".join(
    ["Violence", "Fun", "Fun", "Violence", "Violence", "Violence,Fun", "Fun"]
)


async def sustained_alerts(world: World, reping_minutes: int) -> AlertSetup:
    """The server's defaults for followed streams: 2 of the last 3 samples."""
    setup = await set_up_alerts(world)
    await configure(world, "alerts window", {"hits": 2, "samples": 3})
    await configure(world, "alerts reping", {"minutes": reping_minutes})
    return setup


def description(data: dict[str, Any]) -> str:
    return str(data["embeds"][0]["description"])


def pings(world: World, channel: int) -> list[StoredMessage]:
    """The messages posted mentioning a role (an edit after the fact notifies nobody)."""
    return [m for m in world.emu.messages(channel) if str(m.data.get("content")).startswith("<@&")]


async def test_a_followed_stream_alerts_once_at_its_first_sustained_window_and_repings_once(
    tmp_path: Path,
) -> None:
    async with running_world(tmp_path, **FAST) as world:
        setup = await sustained_alerts(world, reping_minutes=3)  # 1.2 s here
        await follow_announced(world, FLAGGED_1_4_5_6)

        alert = await world.wait_for_embed(ALERT, setup.alerts)
        sessions = convo_ids(world)
        # Raised by sample 5: samples 3, 4 and 5 are the first window of three holding two.
        first = alert.history[0] if alert.history else alert.data
        assert first["embeds"][0]["footer"]["text"] == f"Session {sessions[4]}"
        assert "results have flagged tags: in 2 of the last 3 samples, latest at <t:" in (
            description(first)
        )
        assert alert.content == f"<@&{setup.role}>"
        assert alert.data["mention_roles"] == [str(setup.role)]

        # Sample 6, flagged too, edits the alert (an edit notifies nobody) ...
        edited = await message_when(
            world, alert.id, lambda m: "in 3 of the last 4 samples" in description(m.data)
        )
        assert "**Violence**" in fields(edited)["Flagged tags"]
        # ... and nobody acknowledged it: one re-ping, a new message under it, the role only.
        reping = await world.wait_for_embed(REPING, setup.alerts)
        assert reping.content == f"<@&{setup.role}>"
        assert reping.data["mention_roles"] == [str(setup.role)]
        assert reping.data["mention_everyone"] is False
        assert replies_to(alert.id)(reping)

        # Never a third: many more samples and re-ping delays later, still two pings.
        async def twelve_samples() -> bool | None:
            return len(convo_ids(world)) >= 12 or None

        await eventually(twelve_samples, within_s=15)
        await asyncio.sleep(4 * 3 * MINUTE_S)
        assert [m.id for m in pings(world, setup.alerts)] == [alert.id, reping.id]
        later = world.emu.get_message(alert.id)
        assert "in 3 of the last " in description(later.data)
        assert "in 3 of the last 4 samples" not in description(later.data)  # calm samples count


async def test_an_acknowledged_alert_is_not_repinged(tmp_path: Path) -> None:
    async with running_world(tmp_path, **FAST) as world:
        setup = await sustained_alerts(world, reping_minutes=3)
        await follow_announced(world, FLAGGED_1_4_5_6)
        alert = await world.wait_for_embed(ALERT, setup.alerts)
        (ack_id,) = [b for b in custom_ids(alert) if b.startswith("chatsight:ack:")]
        click = await world.emu.click_button(setup.alerts, alert.id, world.moderator, ack_id)
        await click.wait_response()

        await asyncio.sleep(3 * 3 * MINUTE_S)
        assert [m.id for m in pings(world, setup.alerts)] == [alert.id]
        assert fields(world.emu.get_message(alert.id))["Acknowledged"].startswith(
            f"by <@{world.moderator}>"
        )


async def test_a_stream_that_ends_raises_no_alert(tmp_path: Path) -> None:
    async with running_world(tmp_path, **FAST) as world:
        setup = await sustained_alerts(world, reping_minutes=3)
        await configure(world, "alerts errors", {"state": "on"})
        await configure(world, "alerts window", {"hits": 1, "samples": 1})
        timeline = await follow_announced(world, "https://streams.example/live?ended_after=2")

        ended = await message_when(
            world, timeline.id, lambda m: fields(m)["Status"].startswith("Ended")
        )
        assert fields(ended)["Status"] == "Ended: the stream went offline"
        await asyncio.sleep(4 * MINUTE_S)
        assert world.emu.messages(setup.alerts) == []


async def test_a_stream_heard_as_other_than_announced_raises_one_mismatch_alert(
    tmp_path: Path,
) -> None:
    async with running_world(tmp_path, **FAST) as world:
        setup = await sustained_alerts(world, reping_minutes=60)
        await configure(world, "autotag interval", {"minutes": 1})
        answer = await configure(
            world, "alerts announced", {"category": "Chess", "tags": "Chess, Board games"}
        )
        assert answer.endswith("Chess: Chess, Board games")
        stream = "https://streams.example/live?tags=Fun,Music"
        notifier = {
            "type": "rich",
            "url": stream,
            "title": "Road to 2000",
            "fields": [{"name": "Game", "value": "Chess"}],
        }
        # No seed of the server's own: the announcement's title and game are the seed.
        await world.emu.post_message(world.channel, world.member, "Live now", embeds=[notifier])

        alert = await world.wait_for_embed(ALERT, setup.alerts)
        sessions = convo_ids(world)
        first = alert.history[0] if alert.history else alert.data
        assert first["embeds"][0]["footer"]["text"] == f"Session {sessions[1]}"  # 2 of 2
        assert "tags that do not match its announcement (Chess)" in description(first)
        assert fields(alert)["Announced as"] == "Chess"
        asked = world.sim.requests_to("/stream/tag", "POST")[0].json()
        assert asked["seedSentence"] == "Road to 2000 — Chess"

        async def five_samples() -> bool | None:
            return len(convo_ids(world)) >= 5 or None

        await eventually(five_samples, within_s=10)
        await asyncio.sleep(2 * MINUTE_S)
        assert [m.id for m in pings(world, setup.alerts)] == [alert.id]
