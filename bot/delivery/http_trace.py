"""Pacing at discord.py's transport: every request the bot sends with its token takes a global
slot, and every answer on a channel's message route corrects that channel's bucket.

Hooked in through discord.py's public ``http_trace`` option (an aiohttp ``TraceConfig``), which
sees each request as it goes out, discord.py's own retries included, and each answer's headers,
which discord.py itself keeps private (pacing.py says why not a subclass). Interaction routes
spend no slot: Discord leaves them outside the global limit (docs/discord-notes.md).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from types import SimpleNamespace

import aiohttp
import discord.http

from bot.delivery.channel_buckets import BucketKey, ChannelBuckets, MessageBucket
from bot.delivery.request_budget import RequestBudget
from bot.observability import metrics

log = logging.getLogger(__name__)

INTERACTION_ROUTES = ("/interactions/", "/webhooks/")
MESSAGE_ROUTE = re.compile(r"/channels/(\d+)/messages(/\d+)?")


def api_path(url: object) -> str | None:
    """The route under the REST API discord.py talks to (``discord.http.Route.BASE``), or None
    for anything else (the gateway, the CDN)."""
    base = discord.http.Route.BASE
    text = str(url)
    return text[len(base) :].split("?", 1)[0] if text.startswith(base) else None


def bucket_of(method: str, path: str) -> BucketKey | None:
    match = MESSAGE_ROUTE.fullmatch(path)
    if match is None:
        return None
    channel_id, message = int(match.group(1)), match.group(2)
    if method == "POST" and message is None:
        return channel_id, MessageBucket.CREATE
    if method == "PATCH" and message is not None:
        return channel_id, MessageBucket.EDIT
    return None


def counting_trace(trace: aiohttp.TraceConfig | None = None) -> aiohttp.TraceConfig:
    """``trace`` (or a new one) that also counts each answer from Discord's REST API by route
    kind and status, discord.py's own retries and 429s included."""

    async def on_request_end(
        _session: aiohttp.ClientSession,
        _context: SimpleNamespace,
        params: aiohttp.TraceRequestEndParams,
    ) -> None:
        path = api_path(params.url)
        if path is not None:
            metrics.DISCORD_REQUESTS.labels(_route_kind(path), str(params.response.status)).inc()

    trace = trace or aiohttp.TraceConfig()
    trace.on_request_end.append(on_request_end)
    return trace


def _route_kind(path: str) -> str:
    if path.startswith(INTERACTION_ROUTES):
        return "interaction"
    return "message" if MESSAGE_ROUTE.fullmatch(path) else "other"


def pacing_trace(budget: RequestBudget, buckets: ChannelBuckets) -> aiohttp.TraceConfig:
    async def on_request_start(
        _session: aiohttp.ClientSession,
        _context: SimpleNamespace,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        path = api_path(params.url)
        if path is not None and not path.startswith(INTERACTION_ROUTES):
            await budget.spend()

    async def on_request_end(
        _session: aiohttp.ClientSession,
        _context: SimpleNamespace,
        params: aiohttp.TraceRequestEndParams,
    ) -> None:
        path = api_path(params.url)
        if path is None:
            return
        headers = params.response.headers
        if params.response.status == 429:
            await _rate_limited(budget, params.method, path, headers)
        key = bucket_of(params.method, path)
        left = _bucket_left(headers)
        if key is not None and left is not None:
            buckets.correct(key, *left)

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    trace.on_request_end.append(on_request_end)
    return trace


def _bucket_left(headers: Mapping[str, str]) -> tuple[int, int, float] | None:
    """Limit, remaining and seconds to the reset, when the answer names all three (a route
    without a bucket, or a global 429, names none)."""
    try:
        return (
            int(headers["X-RateLimit-Limit"]),
            int(headers["X-RateLimit-Remaining"]),
            float(headers["X-RateLimit-Reset-After"]),
        )
    except (KeyError, ValueError):
        return None


async def _rate_limited(
    budget: RequestBudget, method: str, path: str, headers: Mapping[str, str]
) -> None:
    """A 429 the pacing did not prevent: said loudly, since each one counts towards Discord's
    invalid-request ban; a global one holds every process's requests for its retry time."""
    scope = headers.get("X-RateLimit-Scope")
    if "Via" not in headers:
        log.error("Discord's edge refused %s %s with 429: the address may be banned", method, path)
        return
    log.warning("Discord answered %s %s with 429 (scope %s)", method, path, scope or "route")
    if scope == "global" or headers.get("X-RateLimit-Global"):
        await budget.hold(float(headers.get("Retry-After", "1")))
