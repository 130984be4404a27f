"""The soak run's world: the Discord emulator and the Chatsight simulator in this process, on
127.0.0.1, and the real bot as an operator runs it, one `chatsight-bot run` child process on
SQLite that serves its own webhooks, killed with kill -9 and started again.

Each life of that process between kills is a ``Run``, with its resident set measured once after
a warm-up and once at its end: a leak shows as a run that ends well above its warm-up figure.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.processes import BotProcess, rss_kib, wait_healthy
from standins.chatsight import ChatsightSimulator
from standins.discord import BotApp, DiscordEmulator, EmulatorConfig
from standins.discord.permissions import DEFAULT_EVERYONE
from standins.loopback import free_port

CHATSIGHT_TIMEOUT_S = 2.0  # the bot's limit on a Chatsight call; a timeout fault stalls past it
POLL_AFTER_S = 10.0  # a session whose webhook found the bot down is polled after this


@dataclass
class Run:
    """One life of the bot process, from its start to the next kill -9 (or the soak's end)."""

    started_at: float
    warm_kib: int | None = None
    end_kib: int | None = None


@dataclass
class SoakWorld:
    emu: DiscordEmulator
    sim: ChatsightSimulator
    app: BotApp
    guild: int
    channels: list[int]
    member: int
    bot: BotProcess
    runs: list[Run] = field(default_factory=list)

    async def start_bot(self) -> None:
        await self.bot.start()
        await self.wait_ready()
        self.runs.append(Run(time.monotonic()))

    async def wait_ready(self, within_s: float = 60.0) -> None:
        """The bot's gateway connected and ready, its commands synced, its listener healthy."""
        async with asyncio.timeout(within_s):
            while not (
                any(
                    s["connected"] and s["ready"]
                    for s in self.emu.gateway_sessions(self.app.user_id)
                )
                and self.emu.commands(self.app.application_id)
            ):
                process = self.bot.process
                if process is None or process.returncode is not None:
                    raise RuntimeError(f"the bot exited\n{self.bot.tail()}")
                await asyncio.sleep(0.05)
        await wait_healthy(int(self.bot.env["WEBHOOK_PORT"]))

    def measure_warm(self, warmup_s: float) -> None:
        """The current run's warm-up figure, once it has lived ``warmup_s``."""
        run = self.runs[-1]
        if run.warm_kib is None and time.monotonic() - run.started_at >= warmup_s:
            run.warm_kib = rss_kib(self.bot)

    def end_run(self) -> None:
        self.runs[-1].end_kib = rss_kib(self.bot)

    async def kill_and_restart(self) -> None:
        self.end_run()
        await self.bot.kill()
        await self.start_bot()


@asynccontextmanager
async def soak_world(workdir: Path, channels: int) -> AsyncIterator[SoakWorld]:
    """The stand-ins at Discord's own rate limits, a guild of ``channels`` channels, the bot
    started and ready; everything stopped on the way out."""
    sim = ChatsightSimulator(provisioning_delay=0.05, running_delay=2.0)
    emu = DiscordEmulator(EmulatorConfig(heartbeat_interval_ms=5000, identify_window=1.0))
    await sim.start()
    await emu.start()
    try:
        app = emu.create_bot("Chatsight")
        member = emu.create_user("member")
        guild = emu.create_guild("Soak", everyone_permissions=DEFAULT_EVERYONE)
        channel_ids = [await emu.create_channel(guild, f"streams-{i}") for i in range(channels)]
        for user in (member, app.user_id):
            await emu.add_member(guild, user)
        bot = BotProcess("soak-bot", "run", bot_env(sim, emu, app, workdir), workdir)
        world = SoakWorld(emu, sim, app, guild, channel_ids, member, bot)
        try:
            await world.start_bot()
            yield world
        finally:
            await bot.stop()
    finally:
        await emu.close()
        await sim.stop()


def bot_env(
    sim: ChatsightSimulator, emu: DiscordEmulator, app: BotApp, workdir: Path
) -> dict[str, str]:
    """An operator's configuration, with the cooldown and the per-server cap out of the way."""
    port = free_port()
    return {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": f"sqlite:///{workdir / 'soak.db'}",
        "CHATSIGHT_API_KEY": "sim-api-key",
        "CHATSIGHT_SHARED_SECRET": sim.shared_secret,
        "CHATSIGHT_API_BASE": sim.base_url,
        "CHATSIGHT_TIMEOUT_SECONDS": str(CHATSIGHT_TIMEOUT_S),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "WEBHOOK_PORT": str(port),
        "METRICS_PORT": str(free_port()),
        "DISCORD_TOKEN": app.token,
        "DISCORD_API_BASE": emu.api_base,
        "TAG_COOLDOWN_SECONDS": "0",
        "GUILD_SESSION_CAP": "1000000",
        "POLL_AFTER_SECONDS": str(POLL_AFTER_S),
        "LOG_LEVEL": "WARNING",
    }


async def tag_at(world: SoakWorld, per_second: float, stop: asyncio.Event) -> int:
    """Members' /tag commands at ``per_second``, round-robin over the channels, until ``stop``;
    each session's webhook follows it a couple of seconds later, so webhooks come at the same
    rate. Answers how many were sent."""
    sent = 0
    next_at = time.monotonic()
    while not stop.is_set():
        channel = world.channels[sent % len(world.channels)]
        url = f"https://streams.example/{sent}.ts?tags=Fun,Relaxed"
        await world.emu.send_slash_command(world.guild, channel, world.member, "tag", {"url": url})
        sent += 1
        next_at += 1 / per_second
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    return sent
