"""The world the delivery benchmark measures in: the real ``ChatsightBot`` against the Discord
emulator and the Chatsight simulator on 127.0.0.1, a guild of channels, and sessions started with
real ``/tag`` commands and left running until the benchmark fires their webhooks."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from bot.app.chatsight_bot import ChatsightBot
from bot.app.discord_api import use_discord_api
from bot.config import Secret, Settings
from standins.chatsight import ChatsightSimulator
from standins.discord import DiscordEmulator, EmulatorConfig
from standins.discord.discordpy import point_discord_py
from standins.discord.ratelimit import DEFAULT_BUCKETS
from standins.loopback import free_port

STARTS_AT_ONCE = 25  # /tag commands in flight while setting up (Discord allows 3 s to answer)
UNLIMITED = 1_000_000


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
    running: asyncio.Task[None]
    guild: int
    channels: list[int]
    member: int


def emulator_config(limits: str) -> EmulatorConfig:
    if limits == "discord":
        return EmulatorConfig(heartbeat_interval_ms=5000)
    return EmulatorConfig(
        heartbeat_interval_ms=5000,
        bucket_limits={name: (UNLIMITED, 1.0) for name in DEFAULT_BUCKETS},
        global_limit_per_second=UNLIMITED,
    )


async def start_world(tmp: Path, limits: str, paced: bool, channels: int, sessions: int) -> World:
    sim = ChatsightSimulator(auto_advance=False)
    emu = DiscordEmulator(emulator_config(limits))
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
        discord_global_limit=50 if limits == "discord" else UNLIMITED,
        pace_and_pack=paced,
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
    return World(sim, emu, bot, running, guild, channel_ids, member)


async def stop_world(world: World) -> None:
    await world.bot.close()
    await world.running
    await world.emu.close()
    await world.sim.stop()


async def start_sessions(world: World, count: int) -> list[Target]:
    """``count`` real /tag commands, round-robin over the channels, a few at a time."""
    emu = world.emu
    gate = asyncio.Semaphore(STARTS_AT_ONCE)

    async def one(index: int) -> None:
        channel = world.channels[index % len(world.channels)]
        url = f"https://streams.example/{index}.ts?tags=Fun,Relaxed"
        async with gate:
            interaction = await emu.send_slash_command(
                world.guild, channel, world.member, "tag", {"url": url}
            )
            await emu.wait_for(
                lambda: any(r.kind == "edit_original" for r in interaction.responses), 20
            )

    await asyncio.gather(*(one(i) for i in range(count)))
    targets = [
        Target(request.json()["convoId"], request.json()["webhook"])
        for request in world.sim.requests_to("/stream/tag", "POST")
    ]
    assert len(targets) == count, f"{len(targets)} sessions started, {count} asked"
    return targets
