"""Helpers for the emulator's tests: the OpenAPI yardstick and running real discord.py clients."""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import aiohttp
import discord
import jsonschema
from discord.ext import commands

from standins.discord import BotApp, EmulatorConfig

# Generous buckets so tests that are not about rate limits never wait on one.
FAST_BUCKETS = {
    name: (1000, 1.0)
    for name in (
        "message_create",
        "message_edit",
        "message_delete",
        "reactions",
        "webhook",
        "commands",
        "default",
        "interaction_callback",
    )
}


def fast_config(**overrides: object) -> EmulatorConfig:
    config = EmulatorConfig(
        heartbeat_interval_ms=2000, bucket_limits=dict(FAST_BUCKETS), global_limit_per_second=10_000
    )
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


@dataclass
class World:
    bot: BotApp
    guild: int
    general: int  # everyone may talk
    news: int  # announcement channel
    hidden: int  # the bot cannot see it
    readonly: int  # the bot sees it but may not send, embed or react
    alice: int  # an ordinary member
    bob: int  # a member with the mods role
    mods: int  # a mentionable role


SPEC_PATH = Path(__file__).resolve().parents[1] / "data" / "discord-openapi-subset.json"


@cache
def _spec() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(SPEC_PATH.read_text())
    return spec


def _validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    # The spec's $refs are "#/components/schemas/..."; keeping "components" in the root
    # schema lets them resolve without a separate registry.
    root = {**schema, "components": _spec()["components"]}
    return jsonschema.Draft202012Validator(root)


def validate_component(name: str, instance: Any) -> None:
    """Validate against ``components.schemas.<name>``; raises ``ValidationError``."""
    _validator({"$ref": f"#/components/schemas/{name}"}).validate(instance)


def validate_response(method: str, path: str, status: int, instance: Any) -> None:
    """Validate an answer against the schema the spec gives for that operation and status."""
    operation = _spec()["paths"][path][method.lower()]
    schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
    _validator(schema).validate(instance)


@dataclass
class Raw:
    """An answer from a raw HTTP call, for asserting on headers and bodies directly."""

    status: int
    headers: dict[str, str]
    body: Any


async def raw_request(
    method: str, url: str, *, token: str | None = None, json_body: Any = None
) -> Raw:
    headers = {"Authorization": f"Bot {token}"} if token else {}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, url, headers=headers, json=json_body) as response,
    ):
        text = await response.text()
        is_json = response.content_type == "application/json"
        body = json.loads(text) if text and is_json else text or None
        return Raw(response.status, dict(response.headers), body)


class ShardClient(discord.Client):
    """One shard of a bot, as each process of a multi-process bot runs it.

    discord.py waits 5 s before every IDENTIFY but the first; ``identify_delay`` scales that
    wait down to the emulator's identify window.
    """

    def __init__(self, shard_id: int, shard_count: int, *, identify_delay: float = 0.0) -> None:
        intents = discord.Intents.default()
        intents.message_content = True
        super().__init__(
            intents=intents,
            shard_id=shard_id,
            shard_count=shard_count,
            guild_ready_timeout=0.05,
        )
        self.identify_delay = identify_delay

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        if not initial:
            await asyncio.sleep(self.identify_delay)


class ClientRunner:
    """Starts real discord.py bots against the emulator and closes them after the test."""

    def __init__(self) -> None:
        self._running: list[tuple[discord.Client, asyncio.Task[None]]] = []

    def make_bot(
        self, *, message_content: bool = True, members: bool = True
    ) -> commands.AutoShardedBot:
        intents = discord.Intents.default()
        intents.message_content = message_content
        intents.members = members
        return commands.AutoShardedBot(
            command_prefix="!", intents=intents, guild_ready_timeout=0.05
        )

    async def start(
        self,
        client: discord.Client,
        token: str,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> None:
        ready = asyncio.Event()

        async def on_ready() -> None:
            ready.set()

        client.event(on_ready)
        task = asyncio.create_task(client.start(token))
        self._running.append((client, task))
        waiter = asyncio.create_task(ready.wait())
        done, _ = await asyncio.wait(
            {task, waiter}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if waiter not in done:
            waiter.cancel()
            if task in done:
                task.result()
            raise TimeoutError("the client did not become ready")

    async def close(self) -> None:
        for client, task in self._running:
            await client.close()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(task, 5)
