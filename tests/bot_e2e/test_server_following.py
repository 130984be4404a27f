"""Following end to end: samples on schedule, one timeline edited in place, alerts on any
sample, a schedule that survives a restart, and the ways a follow stops."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.bot_e2e.harness import running_world
from tests.bot_e2e.server_helpers import (
    ALERT,
    FAST,
    MINUTE_S,
    TIMELINE,
    configure,
    convo_ids,
    embed_titled,
    fields,
    follow_announced,
    lines,
    message_when,
)


async def test_samples_edit_one_timeline_alert_on_the_third_and_survive_a_restart(
    tmp_path: Path,
) -> None:
    async with running_world(tmp_path, **FAST) as world:
        alerts = await world.emu.create_channel(world.guild, "mod-alerts")
        await configure(world, "alerts channel", {"channel": alerts})
        await configure(world, "alerts tags-add", {"tags": "Violence"})
        # Any one flagged sample alerts (the default, 2 of 3: test_server_sustained_alerts.py).
        await configure(world, "alerts window", {"hits": 1, "samples": 1})
        # %7C is "|": one tag set per sample (Fun, Fun, then Violence from the third on).
        timeline = await follow_announced(
            world, "https://streams.example/live?tags=Fun%7CFun%7CViolence"
        )
        assert lines(timeline)[0].endswith(" Fun")
        assert len(convo_ids(world)) < 3  # so the third sample is taken after the restart
        await world.restart_bot()

        alert = await world.wait_for_embed(ALERT, alerts)
        first_three = convo_ids(world)[:3]
        assert fields(alert)["Flagged tags"] == "**Violence**"
        assert alert.data["embeds"][0]["footer"]["text"] == f"Session {first_three[2]}"
        footers = [m.data["embeds"][0]["footer"]["text"] for m in world.emu.messages(alerts)]
        assert f"Session {first_three[0]}" not in footers
        assert f"Session {first_three[1]}" not in footers

        edited = await message_when(world, timeline.id, lambda m: len(lines(m)) >= 3)
        assert [line.rsplit(" ", 1)[-1] for line in lines(edited)[:3]] == [
            "Fun",
            "Fun",
            "Violence",
        ]
        assert edited.data["edited_timestamp"] is not None
        versions = [len(v["embeds"][0]["description"].splitlines()) for v in edited.history]
        assert versions == sorted(versions)
        assert versions[0] == 1
        assert [m.id for m in world.emu.messages(world.channel) if embed_titled(TIMELINE)(m)] == [
            timeline.id
        ]


async def test_following_stops_when_the_stream_ends(tmp_path: Path) -> None:
    async with running_world(tmp_path, **FAST) as world:
        timeline = await follow_announced(
            world, "https://streams.example/live?tags=Fun&ended_after=2"
        )

        stopped = await message_when(
            world, timeline.id, lambda m: fields(m)["Status"].startswith("Ended")
        )
        assert fields(stopped)["Status"] == "Ended: the stream went offline"
        assert stopped.data["components"] == []  # no "Stop following" left to press
        assert len(convo_ids(world)) == 3
        # Three intervals with nothing due: the schedule really ended.
        await asyncio.sleep(3 * MINUTE_S)
        assert len(convo_ids(world)) == 3


async def test_following_stops_after_the_maximum_duration(tmp_path: Path) -> None:
    async with running_world(tmp_path, follow_max_seconds=2 * MINUTE_S, **FAST) as world:
        timeline = await follow_announced(world, "https://streams.example/live?tags=Fun")

        finished = await message_when(
            world, timeline.id, lambda m: fields(m)["Status"].startswith("Stopped")
        )
        assert fields(finished)["Status"] == "Stopped: reached the maximum duration"
        assert finished.data["components"] == []
        assert len(convo_ids(world)) <= 2  # one per interval within the maximum, at most
