"""The operator's one-off commands: check the settings, rotate the secret, sync the slash
commands, print the invite link, back the database up. Each runs beside a running bot."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import discord

from bot.app.chatsight_bot import ChatsightBot
from bot.app.core import TaggingCore
from bot.app.deployment import describe
from bot.app.discord_api import use_discord_api
from bot.app.doctor import report, run_doctor
from bot.app.invite import invite_text
from bot.app.logsetup import SecretMaskingFilter
from bot.config import Settings, shown
from bot.store import backup_database


async def check_config(args: argparse.Namespace, settings: Settings, _: SecretMaskingFilter) -> int:
    rows = shown(settings)
    width = max(len(name) for name, _ in rows) + 1
    for name, value in rows:
        print(f"{name:{width}} {value}")
    lines, warnings = describe(settings)
    for line in lines:
        print(line)
    for warning in warnings:
        print(f"warning: {warning}")
    settings.require_api_key()
    if settings.public_base_url is None:
        print("note: PUBLIC_BASE_URL is not set; results will be polled, not pushed")
    print("configuration OK")
    return 0


async def rotate_secret(
    args: argparse.Namespace, settings: Settings, masking: SecretMaskingFilter
) -> int:
    core = TaggingCore.one_off(settings, masking=masking)
    await core.open()
    try:
        await core.rotate_secret()
    finally:
        await core.stop()
    minutes = settings.secret_grace_seconds / 60
    print(
        "Rotated the shared secret. The new one is kept in the database for every receiver;"
        f" the old one is still accepted for {minutes:g} minutes."
    )
    return 0


async def sync(args: argparse.Namespace, settings: Settings, masking: SecretMaskingFilter) -> int:
    token = settings.require_discord_token()
    use_discord_api(settings.discord_api_base)
    async with ChatsightBot(settings, masking=masking, run_core=False) as bot:
        await bot.login(token.reveal())
    where = f"guild {settings.dev_guild_id}" if settings.dev_guild_id else "all guilds (global)"
    print(f"Slash commands synced to {where}.")
    return 0


async def invite(args: argparse.Namespace, settings: Settings, masking: SecretMaskingFilter) -> int:
    """The client id is the token's application's, as Discord answers it: a token pasted from
    the wrong application shows up here, before an admin adds the wrong bot."""
    token = settings.require_discord_token()
    use_discord_api(settings.discord_api_base)
    # The bare HTTP client: a whole discord.Client would warn about intents and voice here.
    http = discord.http.HTTPClient(asyncio.get_running_loop())
    try:
        await http.static_login(token.reveal())
        application = await http.application_info()
    finally:
        await http.close()
    print(invite_text(int(application["id"]), application["name"]))
    return 0


async def backup(args: argparse.Namespace, settings: Settings, _: SecretMaskingFilter) -> int:
    size = backup_database(settings, Path(args.path))
    print(f"Backed up the database to {args.path} ({size / 1e6:.1f} MB), consistent as of now.")
    return 0


async def doctor(args: argparse.Namespace, settings: Settings, _: SecretMaskingFilter) -> int:
    findings = await run_doctor(settings)
    print(report(findings))
    return 0 if all(finding.ok for finding in findings) else 1
