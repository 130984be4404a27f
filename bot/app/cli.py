"""``chatsight-bot``: the command line. Each command asks only for the settings it needs."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence

import discord
import uvloop

from bot.app import operator_commands
from bot.app.chatsight_bot import ChatsightBot
from bot.app.core import TaggingCore
from bot.app.deployment import exports_database_figures
from bot.app.discord_api import use_discord_api
from bot.app.logsetup import SecretMaskingFilter, configure_logging
from bot.app.metrics_listener import metrics_listener
from bot.config import Settings, load_settings
from bot.delivery.console_sink import ConsoleSink
from bot.domain.convo_ids import cli_convo_id
from bot.domain.records import (
    DeliveryKind,
    Origin,
    SessionRecord,
    SessionSource,
    SessionState,
    TagRequest,
)
from bot.domain.refusals import Refusal
from bot.errors import ChatsightBotError, ChatsightError, ConfigError
from bot.language.catalogue import ENGLISH_WORDS
from bot.rendering.console import session_text
from bot.rendering.refusals import refusal_text
from bot.store.base import StoreUnavailable

log = logging.getLogger("chatsight-bot")

EXIT_FAILED, EXIT_CONFIG, EXIT_TIMEOUT = 1, 2, 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chatsight-bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    tag = commands.add_parser("tag", help="tag one stream and print its tags")
    tag.add_argument("url", help="the stream's URL (http, https, rtmp or rtmps)")
    tag.add_argument("--seed", help="a seed sentence that helps Chatsight")
    tag.add_argument("--timeout", type=float, default=420.0, help="seconds to wait (420)")
    tag.add_argument("--json", action="store_true", help="print one JSON object")

    status = commands.add_parser("status", help="show a session as Chatsight reports it")
    status.add_argument("convo_id")
    commands.add_parser("run", help="run the Discord bot")
    commands.add_parser(
        "serve-webhooks", help="run the webhook receiver alone (several may share PostgreSQL)"
    )
    commands.add_parser("sync", help="sync slash commands (to DEV_GUILD_ID if set, else globally)")
    commands.add_parser("check-config", help="validate the configuration and show it")
    commands.add_parser("rotate-secret", help="rotate the webhook shared secret")
    commands.add_parser("invite", help="print the link that adds the bot to a server")
    commands.add_parser(
        "doctor", help="check the configuration against Discord, Chatsight and this host"
    )
    backup = commands.add_parser(
        "backup", help="copy the SQLite database, consistently, while the bot runs"
    )
    backup.add_argument("path", help="the new file to write (must not exist)")

    # The simulator parses its own flags, so the bot imports it only when asked to run it.
    commands.add_parser(
        "mock-api", help="run the Chatsight simulator (--help for its flags)", add_help=False
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args, rest = parser.parse_known_args(argv)
    if args.command == "mock-api":
        from standins.chatsight.__main__ import main as run_simulator

        run_simulator(rest, prog="chatsight-bot mock-api")
        return 0
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    try:
        settings = load_settings()
    except ChatsightBotError as error:
        print(f"error: {error.user_message}", file=sys.stderr)
        return EXIT_CONFIG
    masking = configure_logging(settings.log_level, settings.secrets(), settings.log_format)
    handlers = {
        "tag": _tag,
        "status": _status,
        "check-config": operator_commands.check_config,
        "rotate-secret": operator_commands.rotate_secret,
        "run": _run,
        "serve-webhooks": _serve_webhooks,
        "sync": operator_commands.sync,
        "invite": operator_commands.invite,
        "doctor": operator_commands.doctor,
        "backup": operator_commands.backup,
    }
    try:
        # uvloop's event loop: the receiver answers ~20% more webhooks on the same core, and 0.56x
        # to 0.85x the bare handler's rate at 64 connections against 0.52x (docs/perf-notes.md).
        return uvloop.run(handlers[args.command](args, settings, masking))
    except ChatsightBotError as error:
        print(f"error: {error.user_message}", file=sys.stderr)
        return EXIT_CONFIG if isinstance(error, ConfigError) else EXIT_FAILED
    except Refusal as refusal:  # e.g. `tag` of a stream page that is not live
        print(f"error: {refusal_text(refusal, words=ENGLISH_WORDS)}", file=sys.stderr)
        return EXIT_FAILED
    except StoreUnavailable as error:
        # systemd's Restart= tries again; the line says what is wrong, without the URL's password.
        print(f"error: the database is unavailable ({error})", file=sys.stderr)
        return EXIT_FAILED
    except discord.LoginFailure:
        print("error: Discord rejected DISCORD_TOKEN", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130


async def _tag(args: argparse.Namespace, settings: Settings, masking: SecretMaskingFilter) -> int:
    convo_id = cli_convo_id()
    sink = ConsoleSink(convo_id, sys.stdout, as_json=args.json)
    webhooks = settings.public_base_url is not None
    core = TaggingCore.one_off(settings, serve_webhooks=webhooks, masking=masking)
    await core.start({DeliveryKind.CLI: sink})
    try:
        request = TagRequest(
            convo_id,
            args.url,
            SessionSource.CLI,
            Origin(seed=args.seed),
            deliveries=(DeliveryKind.CLI,),
        )
        await core.service.start(request)
        how = "webhook" if webhooks else "polling"
        print(f"Started session {convo_id}; waiting for its result ({how})", file=sys.stderr)
        poll_every = settings.poll_after_seconds if webhooks else 1.0
        try:
            session = await asyncio.wait_for(_await_result(core, sink, poll_every), args.timeout)
        except TimeoutError:
            print(
                f"error: no result for session {convo_id} after {args.timeout:g} s",
                file=sys.stderr,
            )
            return EXIT_TIMEOUT
    finally:
        await core.stop()
    return 0 if session.state is SessionState.COMPLETED else EXIT_FAILED


async def _await_result(core: TaggingCore, sink: ConsoleSink, poll_every: float) -> SessionRecord:
    """Wait for the sink to print; poll Chatsight meanwhile in case the webhook never comes."""
    while True:
        with contextlib.suppress(TimeoutError):
            return await asyncio.wait_for(asyncio.shield(sink.printed), poll_every)
        try:
            await core.service.refresh(sink.convo_id)
        except ChatsightError as error:
            log.warning("polling failed: %s", error.user_message)


async def _status(args: argparse.Namespace, settings: Settings, _: SecretMaskingFilter) -> int:
    core = TaggingCore.one_off(settings)
    await core.open()
    try:
        stored = await core.service.refresh(args.convo_id)
        if stored is not None:
            print(session_text(stored))
            return 0
        status = await core.client.query_session(args.convo_id)
    finally:
        await core.stop()
    tags = ", ".join(status.result.tags) if status.result else "-"
    print(f"Session {status.convo_id}: {status.phase.value}; tags: {tags}")
    if status.error:
        print(f"  stopped: {status.stop_reason or 'no reason given'}")
    return 0


async def _run(args: argparse.Namespace, settings: Settings, masking: SecretMaskingFilter) -> int:
    token = settings.require_discord_token()
    settings.require_api_key()
    use_discord_api(settings.discord_api_base)
    async with ChatsightBot(settings, masking=masking) as bot:
        figures = bot.core.store.figures if exports_database_figures(settings) else None
        async with metrics_listener(settings, figures):
            await _run_bot(bot, token.reveal())
    return 0


async def _run_bot(bot: ChatsightBot, token: str) -> None:
    """Until stopped, or until the client stops by itself (its error is raised here)."""
    running = asyncio.create_task(bot.start(token), name="discord-client")
    await _until_stopped(running)
    if running.done():
        running.result()
    log.info("shutting down")
    await bot.close()
    await running


async def _serve_webhooks(
    args: argparse.Namespace, settings: Settings, masking: SecretMaskingFilter
) -> int:
    """Stateless apart from the database: results go to the store, and a ``run`` process hears
    of them there (bot/store/interface/, ChangeFeed)."""
    core = TaggingCore(settings, serve_webhooks=True, monitor_interval_s=None, masking=masking)
    await core.start({})
    try:
        assert core.server is not None
        log.info("webhook receiver listening on %s:%s", settings.webhook_host, core.server.port)
        async with metrics_listener(settings):
            await _until_stopped()
        log.info("shutting down")
    finally:
        await core.stop()
    return 0


async def _until_stopped(running: asyncio.Task[None] | None = None) -> None:
    """Until SIGINT or SIGTERM, or until ``running`` ends by itself."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    stopping = asyncio.create_task(stop.wait(), name="stop-signal")
    await asyncio.wait(
        {stopping} | ({running} if running else set()), return_when=asyncio.FIRST_COMPLETED
    )
    stopping.cancel()
