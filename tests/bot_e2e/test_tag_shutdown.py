"""``chatsight-bot run`` as operators start it: a real process, configured by environment only.

It cannot be pointed at the emulator from inside like the in-process bot: DISCORD_API_BASE alone
must bring it to the emulator's REST API and, through ``GET /gateway/bot``, to its gateway.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from standins.chatsight import ChatsightSimulator
from standins.discord import DiscordEmulator
from standins.discord.permissions import DEFAULT_EVERYONE
from standins.loopback import free_port
from tests.discord_emulator.emu_helpers import fast_config
from tests.streamlink_plugins import PLUGIN_DIR

CHATSIGHT_BIN = Path(sys.executable).parent / "chatsight-bot"
API_KEY = "sim-api-key-3f9c1a"
LEAKS = ("Unclosed client session", "Unclosed connector", "Task was destroyed", "Traceback")


async def tag(emu: DiscordEmulator, guild: int, channel: int, member: int) -> None:
    url = "https://streams.example/x?tags=Fun"
    await emu.send_slash_command(guild, channel, member, "tag", {"url": url})


async def test_run_logs_in_tags_and_stops_cleanly_on_sigterm(
    tmp_path: Path, database_url: str
) -> None:
    async with (
        ChatsightSimulator(api_key=API_KEY, provisioning_delay=0.01, running_delay=0.1) as sim,
        DiscordEmulator(fast_config()) as emu,
    ):
        app = emu.create_bot("Chatsight")
        member = emu.create_user("alice")
        guild = emu.create_guild("Streamers", everyone_permissions=DEFAULT_EVERYONE)
        channel = await emu.create_channel(guild, "streams")
        for user in (member, app.user_id):
            await emu.add_member(guild, user)
        port = free_port()
        env = {
            "PATH": os.environ.get("PATH", ""),
            "DISCORD_TOKEN": app.token,
            "DISCORD_API_BASE": emu.api_base,
            "DEV_GUILD_ID": str(guild),
            "CHATSIGHT_API_KEY": API_KEY,
            "CHATSIGHT_SHARED_SECRET": sim.shared_secret,
            "CHATSIGHT_API_BASE": sim.base_url,
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "WEBHOOK_PORT": str(port),
            "METRICS_PORT": "0",
            "DATABASE_URL": database_url,
            "TAG_COOLDOWN_SECONDS": "0",
            "LOG_LEVEL": "DEBUG",
            "STREAMLINK_PLUGIN_DIRS": PLUGIN_DIR,
        }
        process = await asyncio.create_subprocess_exec(
            str(CHATSIGHT_BIN),
            "run",
            cwd=tmp_path,  # no stray .env from the working tree
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        assert process.stdout is not None
        lines: list[str] = []
        try:
            async with asyncio.timeout(20):
                while not any("logged in as" in line for line in lines):
                    line = await process.stdout.readline()
                    assert line, "".join(lines)[-3000:]
                    lines.append(line.decode(errors="replace"))

            def tags_posted() -> int:
                return sum(
                    e.get("title") == "Stream tags"
                    for m in emu.messages(channel)
                    for e in m.data["embeds"]
                )

            await tag(emu, guild, channel, member)
            await emu.wait_for(lambda: tags_posted() == 1, timeout=10)
            # After an INVALID_SESSION discord.py reconnects to its default gateway, not to the
            # one it was told at login: the bot must have made the emulator's its default.
            await emu.invalidate_session(app.user_id)
            await emu.wait_until_ready(app.user_id, timeout=10)
            await tag(emu, guild, channel, member)
            await emu.wait_for(lambda: tags_posted() == 2, timeout=10)
            process.send_signal(signal.SIGTERM)
            rest, _ = await asyncio.wait_for(process.communicate(), 20)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()

    output = "".join(lines) + rest.decode(errors="replace")
    assert process.returncode == 0, output[-3000:]
    assert "shutting down" in output
    for leak in LEAKS:
        assert leak not in output, output[-3000:]
    for secret in (app.token, API_KEY, sim.shared_secret):
        assert secret not in output
