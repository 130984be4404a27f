"""The doctor's order: the database first (the other checks read what it configures), then
Chatsight, the public URL and the disk, then Discord; a check that cannot run for want of an
earlier one is left out, its cause already named."""

from __future__ import annotations

import asyncio

import aiohttp
from discord.http import HTTPClient

from bot.app.discord_api import use_discord_api
from bot.app.doctor import local_checks
from bot.app.doctor.discord_checks import DiscordChecks
from bot.app.doctor.findings import Finding
from bot.config import Settings


async def run_doctor(
    settings: Settings, *, min_free_bytes: int = local_checks.MIN_FREE_BYTES
) -> list[Finding]:
    findings: list[Finding] = []
    database, store = await local_checks.database(settings)
    findings.append(database)
    try:
        async with aiohttp.ClientSession() as http:
            findings.append(await local_checks.chatsight_key(settings, http))
            if store is not None:
                deployment = await store.deployment_id()
                findings.append(await local_checks.public_url(settings, http, deployment))
        findings.append(local_checks.disk(settings, min_free_bytes))
        use_discord_api(settings.discord_api_base)
        discord_http = HTTPClient(asyncio.get_running_loop())
        try:
            checks = DiscordChecks(settings, discord_http)
            token = await checks.token()
            findings.append(token)
            if token.ok:
                application = await discord_http.application_info()
                findings.append(await checks.intents(application))
                findings.append(await checks.commands(int(application["id"])))
                if store is not None:
                    findings.extend(await checks.servers(store))
        finally:
            await discord_http.close()
    finally:
        if store is not None:
            await store.close()
    return findings
