"""Result delivery latency: from an accepted webhook to the tags message stored by Discord.

The real ``ChatsightBot`` runs in this process against the Discord emulator and the Chatsight
simulator, all on 127.0.0.1, with the emulator's rate limits set out of the way (this measures
our path, not Discord's buckets). Sessions are started with real ``/tag`` commands spread over
many channels; the simulator is told never to finish them, and this script then fires each
session's signed webhook at the bot's receiver at a steady rate, as Chatsight would.

Per session: t0 = the moment the receiver's ``200 OK`` has been read, t1 = the emulator's
``timestamp`` of the stored tags message (same wall clock, microseconds). Prints p50, p99 and max
of t1 - t0, and the throughput.

    python -m bench.discord_delivery [--sessions 1000] [--channels 50] [--rate 100]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import aiohttp

from bot.app.chatsight_bot import ChatsightBot
from bot.app.discord_api import use_discord_api
from bot.config import Secret, Settings
from standins.chatsight import ChatsightSimulator
from standins.chatsight.webhook import signed_delivery
from standins.discord import DiscordEmulator, EmulatorConfig, StoredMessage
from standins.discord.discordpy import point_discord_py
from standins.discord.ratelimit import DEFAULT_BUCKETS
from standins.loopback import free_port

SESSION_IN_FOOTER = re.compile(r"Session ([0-9a-f-]{36})")
STARTS_AT_ONCE = 25  # /tag commands in flight while setting up (Discord allows 3 s to answer)
TARGET_P99_MS = 100.0


@dataclass
class Target:
    convo_id: str
    webhook: str
    accepted_at: float = 0.0


@dataclass
class World:
    sim: ChatsightSimulator
    emu: DiscordEmulator
    bot: ChatsightBot
    guild: int
    channels: list[int]
    member: int


def unlimited() -> EmulatorConfig:
    return EmulatorConfig(
        heartbeat_interval_ms=5000,
        bucket_limits={name: (1_000_000, 1.0) for name in DEFAULT_BUCKETS},
        global_limit_per_second=1_000_000,
    )


async def start_world(tmp: Path, channels: int, sessions: int) -> tuple[World, asyncio.Task[None]]:
    sim = ChatsightSimulator(auto_advance=False)
    emu = DiscordEmulator(unlimited())
    await sim.start()
    await emu.start()
    point_discord_py(emu.api_base, emu.gateway_url)
    app = emu.create_bot("Chatsight")
    guild = emu.create_guild("Bench")
    channel_ids = [await emu.create_channel(guild, f"streams-{i}") for i in range(channels)]
    member = emu.create_user("member")
    for user in (member, app.user_id):
        await emu.add_member(guild, user)
    port = free_port()
    settings = Settings(
        chatsight_api_key=Secret("sim-api-key"),
        chatsight_shared_secret=Secret(sim.shared_secret),
        chatsight_api_base=sim.base_url,
        public_base_url=f"http://127.0.0.1:{port}",
        webhook_port=port,
        database_url=f"sqlite:///{tmp / 'bench.db'}",
        discord_token=Secret(app.token),
        discord_api_base=emu.api_base,
        dev_guild_id=guild,
        log_level="WARNING",
        tag_cooldown_seconds=0.0,
        guild_session_cap=sessions + 1,
        poll_after_seconds=3600.0,
    )
    use_discord_api(settings.discord_api_base)
    bot = ChatsightBot(settings, guild_ready_timeout=0.05)
    running = asyncio.create_task(bot.start(app.token))
    await emu.wait_until_ready(app.user_id, timeout=20)
    await emu.wait_for(lambda: emu.commands(app.application_id, guild), timeout=20)
    return World(sim, emu, bot, guild, channel_ids, member), running


async def start_sessions(world: World, count: int) -> list[Target]:
    """``count`` real /tag commands, round-robin over the channels, a few at a time."""
    emu = world.emu
    gate = asyncio.Semaphore(STARTS_AT_ONCE)

    async def one(index: int) -> None:
        channel = world.channels[index % len(world.channels)]
        url = f"https://streams.example/{index}?tags=Fun,Relaxed"
        async with gate:
            interaction = await emu.send_slash_command(
                world.guild, channel, world.member, "tag", {"url": url}
            )
            await emu.wait_for(
                lambda: any(r.kind == "edit_original" for r in interaction.responses), 20
            )

    await asyncio.gather(*(one(i) for i in range(count)))
    targets = []
    for request in world.sim.requests_to("/stream/tag", "POST"):
        body = request.json()
        targets.append(Target(body["convoId"], body["webhook"]))
    assert len(targets) == count, f"{len(targets)} sessions started, {count} asked"
    return targets


def signed(secret: str, convo_id: str) -> bytes:
    body = signed_delivery(secret, convo_id, "Fun,Relaxed", False, int(time.time() * 1000))
    return json.dumps(body).encode()


async def fire(secret: str, targets: Sequence[Target], rate: float) -> None:
    """One webhook every 1/rate seconds, on a fixed schedule, each on its own request."""
    loop = asyncio.get_running_loop()
    headers = {"Content-Type": "application/json"}
    async with aiohttp.ClientSession() as http:

        async def post(target: Target) -> None:
            body = signed(secret, target.convo_id)
            async with http.post(target.webhook, data=body, headers=headers) as response:
                await response.read()
                target.accepted_at = time.time()
                if response.status != 200:
                    raise RuntimeError(f"webhook refused: {response.status}")

        start = loop.time()
        pending = []
        for index, target in enumerate(targets):
            delay = start + index / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            pending.append(asyncio.create_task(post(target)))
        await asyncio.gather(*pending)


def tags_messages(world: World) -> list[tuple[str, StoredMessage]]:
    """Every tags message in the channels, with the session its footer names."""
    found = []
    for channel in world.channels:
        for message in world.emu.messages(channel):
            embeds = message.data["embeds"]
            if embeds and embeds[0].get("title") == "Stream tags":
                match = SESSION_IN_FOOTER.search(embeds[0]["footer"]["text"])
                assert match is not None
                found.append((match.group(1), message))
    return found


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def run(sessions: int, channels: int, rate: float) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        world, running = await start_world(Path(tmp), channels, sessions)
        try:
            began = time.monotonic()
            targets = await start_sessions(world, sessions)
            print(
                f"started {sessions} sessions over {channels} channels in"
                f" {time.monotonic() - began:.1f} s; firing webhooks at {rate:g}/s"
            )
            stored = len(world.emu.state.messages)
            # The stand-ins' world (thousands of stored messages and interactions) would not
            # live in the bot's process in production: keep it out of the collector's sweeps.
            gc.freeze()
            fired = time.time()
            await fire(world.sim.shared_secret, targets, rate)
            # Cheap on purpose: this predicate runs on every change the emulator makes.
            await world.emu.wait_for(lambda: len(world.emu.state.messages) >= stored + sessions, 60)
            posted = tags_messages(world)
        finally:
            await world.bot.close()
            await running
            await world.emu.close()
            await world.sim.stop()
    stored_at = {
        convo: datetime.fromisoformat(message.data["timestamp"]).timestamp()
        for convo, message in posted
    }
    latencies = [(stored_at[t.convo_id] - t.accepted_at) * 1000 for t in targets]
    p99 = percentile(latencies, 0.99)
    once = len(posted) == len(stored_at) == sessions
    print(f"posted {len(posted)} tags messages for {sessions} sessions (each once: {once})")
    print(
        f"accepted webhook -> message stored: p50 {statistics.median(latencies):.1f} ms,"
        f" p99 {p99:.1f} ms, max {max(latencies):.1f} ms (target p99 < {TARGET_P99_MS:g} ms:"
        f" {'met' if p99 < TARGET_P99_MS else 'MISSED'})"
    )
    print(f"throughput: {sessions / (max(stored_at.values()) - fired):.0f} results/s")
    return 0 if once else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--channels", type=int, default=50)
    parser.add_argument("--rate", type=float, default=100.0, help="webhooks per second")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    return asyncio.run(run(args.sessions, args.channels, args.rate))


if __name__ == "__main__":
    sys.exit(main())
