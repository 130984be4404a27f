"""Posting the result when Discord misbehaves: a deleted channel, 429s, 5xx, hostile tags."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from bot.domain.records import DeliveryState
from tests.bot_e2e.harness import World, running_world
from tests.bot_e2e.tag_steps import TAGS_TITLE, eventually, session_of, started, tag, titled

STREAM = "https://streams.example/live?tags=Fun,Relaxed"


def posts_to(world: World, channel_id: int) -> list[str]:
    """The outcome of every attempt to post into the channel, as the emulator answered it."""
    entries = world.emu.requests(f"POST /channels/{channel_id}/messages")
    return [entry.fault or str(entry.status) for entry in entries]


async def test_a_channel_deleted_before_the_result_is_given_up_on(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        doomed = await world.emu.create_channel(world.guild, "doomed")
        world.sim.faults.stick_next_session("running")
        session = session_of(await started(world, await tag(world, STREAM, channel=doomed)))
        await world.emu.delete_channel(doomed)
        await world.sim.finish(session)

        async def given_up() -> str | None:
            rows = await world.running.core.store.deliveries_for(session)
            [row] = [r for r in rows if r.kind == "result"]
            return row.last_error if row.state is DeliveryState.UNDELIVERABLE else None

        reason = await eventually(given_up)
        assert "Unknown Channel" in reason
        # The bot keeps working elsewhere, and never knocked on the deleted channel again.
        await tag(world, STREAM)
        await world.wait_for_embed(TAGS_TITLE)
        assert posts_to(world, doomed) == ["404"]


@pytest.mark.parametrize(
    "status",
    [
        429,  # discord.py waits it out itself ...
        502,  # ... and retries a 502 itself ...
        503,  # ... but raises on a 503 at once: our outbox retries it with backoff.
    ],
)
async def test_a_refused_post_is_delivered_later_exactly_once(tmp_path: Path, status: int) -> None:
    async with running_world(tmp_path) as world:
        if status == 429:
            world.emu.inject_ratelimit("POST /channels/*/messages", retry_after=0.2)
        else:
            world.emu.inject_server_error("POST /channels/*/messages", status=status)
        await tag(world, STREAM)
        result = await world.wait_for_embed(TAGS_TITLE, within_s=8)
        assert result.data["embeds"][0]["description"] == "Fun, Relaxed"
        assert posts_to(world, world.channel) == [str(status), "200"]
        assert len(titled(world, TAGS_TITLE)) == 1


async def test_a_post_discord_holds_up_does_not_delay_other_results(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        slow = await world.emu.create_channel(world.guild, "slow")
        world.sim.faults.stick_next_session("running")
        held = session_of(await started(world, await tag(world, STREAM, channel=slow)))
        world.sim.faults.stick_next_session("running")
        other = session_of(await started(world, await tag(world, STREAM)))

        # discord.py sleeps a second before retrying a 502 ...
        world.emu.inject_server_error(f"POST /channels/{slow}/messages", status=502)
        await world.sim.finish(held)

        async def refused_once() -> bool | None:
            return posts_to(world, slow) == ["502"] or None  # the request log signals nothing

        await eventually(refused_once)
        await world.sim.finish(other)
        # ... and meanwhile the other channel's result goes out, before that retry.
        quick = await world.wait_for_embed(TAGS_TITLE)
        assert session_of(quick) == other
        assert posts_to(world, slow) == ["502"]
        late = await world.wait_for_embed(TAGS_TITLE, channel_id=slow, within_s=5)
        assert session_of(late) == held


async def test_tags_that_try_to_ping_ping_nobody(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        hostile = f"@everyone,<@&{world.mods_role}>,@here,<@{world.moderator}>"
        await tag(world, "https://streams.example/live?tags=" + quote(hostile, safe=""))
        result = await world.wait_for_embed(TAGS_TITLE)
        assert result.data["mention_everyone"] is False
        assert result.data["mentions"] == []
        assert result.data["mention_roles"] == []
        shown = result.data["embeds"][0]["description"]
        assert "@everyone" not in shown.replace("@\u200beveryone", "")
        assert "everyone" in shown
        assert result.allowed_mentions is not None
        assert result.allowed_mentions["parse"] == []
