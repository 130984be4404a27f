"""Four processes on one PostgreSQL database, and kill -9 in the middle of a burst.

Two `serve-webhooks` behind a load balancer (a loopback proxy of the test's), two `chatsight-bot
run` sharing the bot's two shards with a guild each, the Discord emulator routing each guild's
events to its shard's connection, and the Chatsight simulator. 200 /tag sessions; one receiver
and one `run` process are killed with SIGKILL mid-burst and started again. Every result must show
exactly once, in the channel its /tag came from, and no process may identify too fast.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.processes import BotProcess, outbox_depth, wait_healthy
from bench.shown import shown_in
from standins.chatsight import ChatsightSimulator
from standins.discord import BotApp, DiscordEmulator
from standins.discord.permissions import DEFAULT_EVERYONE
from standins.loopback import free_port
from tests.discord_emulator.emu_helpers import fast_config
from tests.loopback_proxy import LoopbackProxy
from tests.postgres import throwaway_database
from tests.streamlink_plugins import PLUGIN_DIR

SESSIONS = 200
SHARDS = 2


@dataclass
class Deployment:
    emu: DiscordEmulator
    sim: ChatsightSimulator
    app: BotApp
    member: int
    channels: dict[int, int]  # guild → its channel
    receivers: list[BotProcess]
    runners: list[BotProcess]

    @property
    def processes(self) -> list[BotProcess]:
        return self.receivers + self.runners

    async def wait_ready(self, within_s: float = 30.0) -> None:
        """Every shard connected and ready, every receiver answering, the commands synced."""
        async with asyncio.timeout(within_s):
            while True:
                ready = {
                    tuple(s["shard"])
                    for s in self.emu.gateway_sessions(self.app.user_id)
                    if s["connected"] and s["ready"]
                }
                if ready >= {(shard, SHARDS) for shard in range(SHARDS)} and self.emu.commands(
                    self.app.application_id
                ):
                    break
                self._fail_if_exited()
                await asyncio.sleep(0.05)
        for receiver in self.receivers:
            await wait_healthy(int(receiver.env["WEBHOOK_PORT"]))

    def _fail_if_exited(self) -> None:
        for process in self.processes:
            if process.process is not None and process.process.returncode is not None:
                pytest.fail(f"{process.name} exited\n{process.tail()}")

    async def tag(self, guild: int, count: int, first: int) -> None:
        for number in range(first, first + count):
            url = f"https://streams.example/live/{number}?tags=Fun,Relaxed"
            await self.emu.send_slash_command(
                guild, self.channels[guild], self.member, "tag", {"url": url}
            )
            await asyncio.sleep(0.005)

    def started(self) -> list[str]:
        posted = [r.json()["convoId"] for r in self.sim.requests_to("/stream/tag", "POST")]
        return list(dict.fromkeys(posted))

    def results(self) -> dict[int, Counter[str]]:
        """Per channel: how often each session's result shows there."""
        return {channel: shown_in(self.emu, channel) for channel in self.channels.values()}

    async def wait_started(self, count: int, within_s: float = 60.0) -> None:
        async with asyncio.timeout(within_s):
            while len(self.started()) < count:
                self._fail_if_exited()
                await asyncio.sleep(0.05)

    async def wait_all_shown(self, within_s: float = 90.0) -> None:
        async with asyncio.timeout(within_s):
            while sum(len(seen) for seen in self.results().values()) < len(self.started()):
                self._fail_if_exited()
                await asyncio.sleep(0.1)


@pytest.fixture
async def deployment(tmp_path: Path) -> AsyncIterator[Deployment]:
    sim = ChatsightSimulator(provisioning_delay=0.05, running_delay=1.0)
    emu = DiscordEmulator(fast_config(shards=SHARDS, max_concurrency=SHARDS))
    await sim.start()
    await emu.start()
    app = emu.create_bot("Chatsight")
    member = emu.create_user("alice")
    channels: dict[int, int] = {}
    for shard in range(SHARDS):
        guild = emu.create_guild(
            f"Shard {shard}", everyone_permissions=DEFAULT_EVERYONE, shard=(shard, SHARDS)
        )
        channels[guild] = await emu.create_channel(guild, "streams")
        for user in (member, app.user_id):
            await emu.add_member(guild, user)
    receiver_ports = [free_port() for _ in range(2)]
    balancer = await LoopbackProxy([("127.0.0.1", port) for port in receiver_ports]).start()
    async with throwaway_database() as database_url:
        common = {
            "PATH": os.environ.get("PATH", ""),
            "DATABASE_URL": database_url,
            "DATABASE_POOL_SIZE": "4",
            "CHATSIGHT_API_KEY": "sim-api-key",
            "CHATSIGHT_SHARED_SECRET": sim.shared_secret,
            "CHATSIGHT_API_BASE": sim.base_url,
            "CHATSIGHT_TIMEOUT_SECONDS": "5",
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{balancer.port}",
            "DISCORD_TOKEN": app.token,
            "DISCORD_API_BASE": emu.api_base,
            "DISCORD_SHARD_COUNT": str(SHARDS),
            "SERVE_WEBHOOKS": "false",
            "TAG_COOLDOWN_SECONDS": "0",
            "GUILD_SESSION_CAP": "1000",
            "POLL_AFTER_SECONDS": "3",
            "LOG_LEVEL": "INFO",
            "STREAMLINK_PLUGIN_DIRS": PLUGIN_DIR,
        }
        receivers = [
            BotProcess(
                f"receiver-{n}",
                "serve-webhooks",
                {**common, "WEBHOOK_PORT": str(port), "METRICS_PORT": str(free_port())},
                tmp_path,
            )
            for n, port in enumerate(receiver_ports)
        ]
        runners = [
            BotProcess(
                f"run-shard-{shard}",
                "run",
                {**common, "DISCORD_SHARD_IDS": str(shard), "METRICS_PORT": str(free_port())},
                tmp_path,
            )
            for shard in range(SHARDS)
        ]
        world = Deployment(emu, sim, app, member, channels, receivers, runners)
        try:
            for process in world.processes:
                await process.start()
            await world.wait_ready()
            yield world
        except BaseException:
            print("\n".join(process.tail() for process in world.processes))
            raise
        finally:
            codes = {process.name: await process.stop() for process in world.processes}
            await balancer.close()
            await emu.close()
            await sim.stop()
        assert all(code == 0 for code in codes.values()), codes


async def test_kill_9_mid_burst_loses_and_doubles_no_result(deployment: Deployment) -> None:
    world = deployment
    guild_a, guild_b = world.channels
    quarter = SESSIONS // 4
    # A first half to both guilds; their webhooks start coming back while the kills happen.
    await asyncio.gather(world.tag(guild_a, quarter, 0), world.tag(guild_b, quarter, quarter))
    await world.wait_started(2 * quarter)
    await asyncio.sleep(0.5)
    await world.receivers[0].kill()
    await world.runners[1].kill()  # shard 1's process: guild B's gateway is gone
    # Guild A's process takes more /tags; any process posts guild B's results meanwhile.
    await world.tag(guild_a, quarter, 2 * quarter)
    await world.wait_started(3 * quarter)
    await world.receivers[0].start()
    await world.runners[1].start()
    await world.wait_ready()
    await world.tag(guild_b, quarter, 3 * quarter)
    await world.wait_started(SESSIONS)
    await world.wait_all_shown()
    await asyncio.sleep(1.0)  # time for a double to show, were there one

    started = world.started()
    shown = world.results()
    assert len(started) == SESSIONS
    doubled = {s: n for seen in shown.values() for s, n in seen.items() if n > 1}
    assert doubled == {}
    assert sorted(s for seen in shown.values() for s in seen) == sorted(started)
    for guild, channel in world.channels.items():
        assert len(shown[channel]) == 2 * quarter, f"guild {guild}"
    assert world.emu.identify_violations() == 0
    assert [p.kills for p in world.processes] == [1, 0, 0, 1]
    # The database's figures come from shard 0's process alone: a sum over processes is true.
    outbox = {p.name: await outbox_depth(p) for p in world.processes}
    assert outbox == {
        "receiver-0": None,
        "receiver-1": None,
        "run-shard-0": 0.0,
        "run-shard-1": None,
    }
    refused = sum(not attempt.delivered for attempt in world.sim.webhook_attempts)
    print(
        f"\n{len(started)} sessions, {sum(p.kills for p in world.processes)} kills,"
        f" {refused} webhooks not taken (recovered by polling),"
        f" {sum(len(seen) for seen in shown.values())} results shown once each"
    )
