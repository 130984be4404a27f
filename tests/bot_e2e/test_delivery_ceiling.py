"""Delivery at Discord's own limits (the emulator's defaults): a burst draws no 429, results due
together show in one message, and a pack cut off by a crash or an outage shows once."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bot.domain.records import DeliveryState
from tests.bot_e2e.delivery_steps import (
    all_shown,
    discord_limits,
    dying_at,
    rate_limited,
    shown,
    waiting_sessions,
)
from tests.bot_e2e.harness import World, running_world
from tests.bot_e2e.tag_steps import eventually

# A channel's message bucket that spreads its five over 10 s: after a first result, the next
# turn is 2 s away, so whatever finishes meanwhile waits for it together.
SLOW_CHANNEL = {"message_create": (5, 10.0)}


async def test_a_burst_over_many_channels_draws_no_429(tmp_path: Path) -> None:
    """110 results finishing at once in 55 channels: one message each would be more than the
    global 50 per second and two per channel in a moment; paced, nothing is refused."""
    async with running_world(tmp_path, emulator=discord_limits(), guild_session_cap=200) as world:
        channels = [await world.emu.create_channel(world.guild, f"c{i}") for i in range(55)]
        sessions = [s for s, _ in await waiting_sessions(world, channels * 2)]
        await asyncio.gather(*(world.sim.finish(session) for session in sessions))

        found = await all_shown(world, channels, sessions)
        assert all(len(messages) == 1 for messages in found.values())
        assert rate_limited(world) == []
        assert world.emu.invalid_requests()["count"] == 0


async def first_then_ten(world: World) -> tuple[int, list[tuple[str, int]]]:
    """A channel with one result shown; ten more sessions there, still running."""
    channel = await world.emu.create_channel(world.guild, "busy")
    [(first, _), *rest] = await waiting_sessions(world, [channel] * 11)
    await world.sim.finish(first)
    await all_shown(world, [channel], [first])
    await delivered(world, [first])
    return channel, rest


async def delivered(world: World, sessions: list[str]) -> set[int]:
    """Once every session's result is recorded as posted: the messages they are in."""

    async def recorded() -> set[int] | None:
        rows = [(await world.running.core.store.deliveries_for(s))[0] for s in sessions]
        posted = {row.message_id for row in rows if row.state is DeliveryState.DELIVERED}
        done = all(row.state is DeliveryState.DELIVERED for row in rows)
        return {message for message in posted if message is not None} if done else None

    return await eventually(recorded, 10)


async def test_ten_results_due_together_show_once_in_one_message(tmp_path: Path) -> None:
    async with running_world(
        tmp_path, emulator=discord_limits(**SLOW_CHANNEL), guild_session_cap=20
    ) as world:
        channel, ten = await first_then_ten(world)
        for session, _ in ten:
            await world.sim.finish(session)

        found = await all_shown(world, [channel], [s for s, _ in ten])
        [pack] = {message.id: message for s, _ in ten for message in found[s]}.values()
        assert all(len(found[s]) == 1 for s, _ in ten)
        assert "message_reference" not in pack.data  # a pack replies to nothing ...
        links = [embed["url"] for embed in pack.data["embeds"]]  # ... each embed links instead
        assert links == [
            f"https://discord.com/channels/{world.guild}/{channel}/{request}" for _, request in ten
        ]
        results = {m.id for messages in shown(world, [channel]).values() for m in messages}
        assert len(results) == 2  # the first alone, then the ten together
        assert rate_limited(world) == []


@pytest.mark.parametrize("outage", ["within the nonce window", "longer than the nonce window"])
async def test_a_pack_cut_off_after_its_send_shows_once_after_the_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, outage: str
) -> None:
    """The process dies after Discord took the pack but before it was recorded as delivered.
    Restarted within Discord's memory of the nonce, the same pack's resend gets the message back;
    later, the bot looks for it in the channel first and does not post it again."""
    forgets = outage != "within the nonce window"
    emulator = discord_limits(**SLOW_CHANNEL)
    trusted: dict[str, Any] = {}
    if forgets:
        emulator.nonce_window = 0.05
        trusted = {"nonce_trusted_seconds": 0.1}
    async with running_world(tmp_path, emulator=emulator, guild_session_cap=20, **trusted) as world:
        channel, ten = await first_then_ten(world)
        four = [session for session, _ in ten[:4]]
        died = asyncio.Event()
        monkeypatch.setattr(world.running.core.store, "mark_pack_delivered", dying_at(died))
        for session in four:
            await world.sim.finish(session)
        await asyncio.wait_for(died.wait(), 10)
        found = await all_shown(world, [channel], four)
        [pack] = {message.id for session in four for message in found[session]}
        if forgets:
            await asyncio.sleep(0.2)  # the outage outlasts Discord's memory of the nonce
        posts = f"POST /channels/{channel}/messages"
        before = len(world.emu.requests(posts))

        await world.restart_bot()
        assert await delivered(world, four) == {pack}
        found = shown(world, [channel])
        assert all(len(found[session]) == 1 for session in four)
        # Looked in the channel only once the nonce was forgotten, and then posted nothing;
        # within the window the same pack went again and Discord answered with the first post.
        assert bool(world.emu.requests(f"GET /channels/{channel}/messages")) is forgets
        assert len(world.emu.requests(posts)) - before == (0 if forgets else 1)
        assert rate_limited(world) == []
