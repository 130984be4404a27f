"""What the discord.py client is built with: its intents, the pacing its requests spend from, and
its shards, each read from the settings."""

from __future__ import annotations

from typing import Any

import discord

from bot.config import Settings
from bot.delivery.channel_buckets import ChannelBuckets
from bot.delivery.http_trace import counting_trace, pacing_trace
from bot.delivery.pacing import Pacer
from bot.delivery.request_budget import RequestBudget


def bot_intents(message_content: bool) -> discord.Intents:
    """Guilds for channels and permissions; guild messages and content only for auto-tagging."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.message_content = message_content
    return intents


def pacing(settings: Settings) -> tuple[Pacer, dict[str, Any]]:
    """The bot's own pacing (bot/delivery/pacing.py), and the client option through which
    discord.py's requests spend from it and its answers correct it (and are counted, both ways:
    bot/observability/metrics.py)."""
    if not settings.pace_and_pack:
        return Pacer.unpaced(), {"http_trace": counting_trace()}
    budget = RequestBudget(settings.discord_global_limit)
    buckets = ChannelBuckets()
    return Pacer(budget, buckets), {"http_trace": counting_trace(pacing_trace(budget, buckets))}


def sharding(settings: Settings) -> dict[str, Any]:
    """No shard settings: as many shards as Discord recommends, all in this process."""
    options: dict[str, Any] = {}
    if settings.shard_count is not None:
        options["shard_count"] = settings.shard_count
    if settings.shard_ids is not None:
        options["shard_ids"] = list(settings.shard_ids)
    return options
