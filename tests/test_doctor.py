"""``chatsight-bot doctor`` against the Discord emulator, the Chatsight simulator, a real
database and a real public URL on loopback: all well, then each problem provoked once, named
with its fix."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.app.chatsight_bot import ChatsightBot
from bot.app.discord_api import use_discord_api
from bot.app.doctor import Finding, report, run_doctor
from bot.config import Secret, Settings
from bot.store import open_store
from standins.chatsight import ChatsightSimulator
from standins.discord import DiscordEmulator
from standins.discord.discordpy import point_discord_py
from standins.discord.permissions import DEFAULT_EVERYONE, EMBED_LINKS
from standins.loopback import free_port

MESSAGE_CONTENT = 1 << 19


@dataclass
class Clinic:
    emu: DiscordEmulator
    sim: ChatsightSimulator
    settings: Settings
    guild: int
    results: int
    watched: int
    role: int
    bot_user: int

    async def configure(self, **settings: Any) -> None:
        store = open_store(self.settings, exclusive=False)
        await store.open()
        try:
            await store.update_guild_settings(
                self.guild, lambda s: dataclasses.replace(s, **settings), 1
            )
            await store.set_autotag_channel(self.guild, self.watched, True, 1)
        finally:
            await store.close()

    async def sync(self) -> None:
        token = self.settings.require_discord_token()
        async with ChatsightBot(self.settings, run_core=False) as bot:
            await bot.login(token.reveal())

    async def findings(self, **overrides: Any) -> dict[str, Finding]:
        settings = dataclasses.replace(self.settings, **overrides)
        found = await run_doctor(settings)
        print(report(found))
        return {finding.check.split(" (")[0]: finding for finding in found}


@pytest.fixture
async def clinic(tmp_path: Path) -> AsyncIterator[Clinic]:
    sim = ChatsightSimulator()
    emu = DiscordEmulator()
    await sim.start()
    await emu.start()
    restore = point_discord_py(emu.api_base, emu.gateway_url)
    try:
        app = emu.create_bot("Chatsight", flags=MESSAGE_CONTENT)
        guild = emu.create_guild("Streamers", everyone_permissions=DEFAULT_EVERYONE)
        results = await emu.create_channel(guild, "results")
        watched = await emu.create_channel(guild, "announcements")
        role = await emu.create_role(guild, "on-call", mentionable=True)
        await emu.add_member(guild, app.user_id)
        port = free_port()
        settings = Settings(
            chatsight_api_key=Secret("sim-api-key"),
            chatsight_shared_secret=Secret(sim.shared_secret),
            chatsight_api_base=sim.base_url,
            public_base_url=f"http://127.0.0.1:{port}",
            webhook_port=port,
            database_url=f"sqlite:///{tmp_path / 'bot.db'}",
            discord_token=Secret(app.token),
            discord_api_base=emu.api_base,
            dev_guild_id=guild,
        )
        clinic = Clinic(emu, sim, settings, guild, results, watched, role, app.user_id)
        await clinic.configure(results_channel_id=results, alert_role_id=role)
        await clinic.sync()
        yield clinic
    finally:
        use_discord_api(None)
        restore()
        await emu.close()
        await sim.stop()


def failures(findings: dict[str, Finding]) -> dict[str, str]:
    return {check: f.detail for check, f in findings.items() if not f.ok}


async def test_a_healthy_deployment_passes_every_check(clinic: Clinic) -> None:
    findings = await clinic.findings()
    assert failures(findings) == {}
    assert set(findings) == {
        "database",
        "Chatsight key",
        "public URL",
        "disk",
        "Discord token",
        "Message Content intent",
        "slash commands",
        f"server {clinic.guild}",
    }
    assert findings["Discord token"].detail.startswith("logs in as Chatsight")
    assert findings["public URL"].detail.endswith("reaches this deployment")


async def test_discord_problems_are_named_with_their_fixes(clinic: Clinic) -> None:
    refused = await clinic.findings(discord_token=Secret("not-a-token"))
    assert failures(refused) == {"Discord token": "Discord refused DISCORD_TOKEN"}
    assert "Reset Token" in refused["Discord token"].fix

    lacking = clinic.emu.create_bot("No Content", flags=0)
    absent = await clinic.findings(discord_token=Secret(lacking.token))
    assert "the bot is not in it" in absent["slash commands"].detail
    await clinic.emu.add_member(clinic.guild, lacking.user_id)
    unsynced = await clinic.findings(discord_token=Secret(lacking.token))
    assert "does not have the intent" in unsynced["Message Content intent"].detail
    assert "Developer Portal" in unsynced["Message Content intent"].fix
    assert unsynced["slash commands"].detail.startswith("not synced to guild")
    assert "tag" in unsynced["slash commands"].detail
    assert unsynced["slash commands"].fix == "run `chatsight-bot sync`"

    await clinic.emu.set_overwrite(clinic.results, clinic.bot_user, deny=EMBED_LINKS)
    await clinic.emu.update_role(clinic.role, mentionable=False)
    await clinic.emu.delete_channel(clinic.watched)
    server = (await clinic.findings())[f"server {clinic.guild}"]
    assert not server.ok
    assert f"results channel <#{clinic.results}> lacks Embed Links" in server.detail
    assert f"watched channel {clinic.watched} no longer exists" in server.detail
    assert "alert role @on-call cannot be mentioned" in server.detail
    assert "chatsight-bot invite" in server.fix


async def test_chatsight_public_url_database_and_disk_problems(clinic: Clinic) -> None:
    wrong_key = await clinic.findings(chatsight_api_key=Secret("not-the-key"))
    assert failures(wrong_key) == {"Chatsight key": f"refused by {clinic.sim.base_url}"}

    # The public URL leads somewhere that is not this listener: no answer at all ...
    closed = f"http://127.0.0.1:{free_port()}"
    unreachable = await clinic.findings(public_base_url=closed)
    assert failures(unreachable) == {
        "public URL": f"{closed}/healthz is unreachable (ClientConnectorError)"
    }

    # ... or another deployment's.
    async def elsewhere(_request: web.Request) -> web.Response:
        return web.json_response({"receiver": "ok", "store": "ok", "instance": "0123456789abcdef"})

    app = web.Application()
    app.router.add_get("/healthz", elsewhere)
    runner = web.AppRunner(app)
    await runner.setup()
    other = free_port()
    await web.TCPSite(runner, "127.0.0.1", other).start()
    try:
        found = await clinic.findings(public_base_url=f"http://127.0.0.1:{other}")
    finally:
        await runner.cleanup()
    assert "reaches another deployment (0123456789abcdef)" in failures(found)["public URL"]

    gone = await clinic.findings(database_url="postgresql://postgres@127.0.0.1:9/none")
    assert failures(gone)["database"].startswith("not usable")
    assert "public URL" not in gone  # it needs the database's deployment id

    full = await run_doctor(clinic.settings, min_free_bytes=1 << 62)
    [disk] = [finding for finding in full if finding.check == "disk"]
    assert not disk.ok and disk.fix.startswith("free space there")
