"""Rate limits and injected faults, applied in front of every REST route.

discord.py paces itself from the ``X-RateLimit-*`` headers and waits out 429s, so every answer
of a known route carries the headers of its per-route bucket (an unknown route has no bucket and
a global 429 names none, as on Discord), every answer carries Discord's ``Via`` header, and 429s
carry everything discord.py checks (``retry_after``, ``global``). Faults let a test force a 429
or a 5xx on a route.
"""

from __future__ import annotations

import asyncio
import fnmatch
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Middleware

from . import errors
from .http_util import STATE_KEY, bearer_token, error_response, json_response
from .model import RequestLogEntry
from .state import State

API_PREFIX = "/api/v10"

# (method, route template under /api/v10) -> bucket name; anything else is "default".
ROUTE_BUCKETS: dict[tuple[str, str], str] = {
    ("POST", "/channels/{channel_id}/messages"): "message_create",
    ("PATCH", "/channels/{channel_id}/messages/{message_id}"): "message_edit",
    ("DELETE", "/channels/{channel_id}/messages/{message_id}"): "message_delete",
    ("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me"): "reactions",
    ("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me"): "reactions",
    ("POST", "/interactions/{interaction_id}/{token}/callback"): "interaction_callback",
    ("PUT", "/applications/{application_id}/commands"): "commands",
    ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands"): "commands",
}
WEBHOOK_PREFIX = "/webhooks/"

# Discord's published or observed figures: (requests, window in seconds).
DEFAULT_BUCKETS: dict[str, tuple[int, float]] = {
    "message_create": (5, 5.0),
    "message_edit": (5, 5.0),
    "message_delete": (5, 1.0),
    "reactions": (1, 0.25),
    "interaction_callback": (50, 1.0),
    "webhook": (5, 2.0),
    "commands": (10, 20.0),
    "default": (50, 1.0),
}
MAJOR_PARAMS = ("channel_id", "guild_id", "webhook_id", "interaction_id", "token")


@dataclass
class Fault:
    pattern: str  # fnmatch pattern over "METHOD /path" with the path under /api/v10
    remaining: int
    status: int
    retry_after: float = 0.0
    scope: str = "user"  # X-RateLimit-Scope of an injected 429: "user", "global" or "shared"
    stall_s: float = 0.0  # status STALLED: the request takes effect, its answer this much later


# An injected fault that is no error: the request is handled, and its answer held back.
STALLED = 0


@dataclass
class _Window:
    count: int
    reset_at: float


class RateLimiter:
    def __init__(self, state: State) -> None:
        self.state = state
        self.faults: list[Fault] = []
        self._windows: dict[tuple[str, ...], _Window] = {}

    def limits(self, bucket: str) -> tuple[int, float]:
        return self.state.config.bucket_limits.get(bucket, DEFAULT_BUCKETS[bucket])

    def take(
        self, key: tuple[str, ...], limit: int, window: float, *, consume: bool = True
    ) -> tuple[bool, _Window]:
        """Fixed windows, like Discord's buckets: ``limit`` requests, then wait for the reset."""
        now = time.monotonic()
        slot = self._windows.get(key)
        if slot is None or now >= slot.reset_at:
            slot = self._windows[key] = _Window(0, now + window)
        if slot.count >= limit:
            return False, slot
        if consume:
            slot.count += 1
        return True, slot

    def take_fault(self, method: str, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.remaining > 0 and fnmatch.fnmatchcase(f"{method} {path}", fault.pattern):
                fault.remaining -= 1
                return fault
        return None


def _rate_limited(retry_after: float, scope: str) -> web.Response:
    """Discord's 429; a global one carries no route headers (docs/discord-notes.md)."""
    response = json_response(
        {
            "message": "You are being rate limited.",
            "retry_after": round(retry_after, 3),
            "global": scope == "global",
        },
        429,
    )
    response.headers["Retry-After"] = str(max(1, round(retry_after + 0.4999)))
    response.headers["X-RateLimit-Scope"] = scope
    if scope == "global":
        response.headers["X-RateLimit-Global"] = "true"
    return response


def _bucket_of(method: str, template: str) -> str:
    if template.startswith(WEBHOOK_PREFIX):
        return "webhook"
    return ROUTE_BUCKETS.get((method, template), "default")


def _route_headers(response: web.StreamResponse, limit: int, slot: _Window, name: str) -> None:
    reset_after = max(0.0, slot.reset_at - time.monotonic())
    response.headers["X-RateLimit-Limit"] = str(limit)
    response.headers["X-RateLimit-Remaining"] = str(max(0, limit - slot.count))
    response.headers["X-RateLimit-Reset"] = f"{time.time() + reset_after:.3f}"
    response.headers["X-RateLimit-Reset-After"] = f"{reset_after:.3f}"
    response.headers["X-RateLimit-Bucket"] = name


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def _answer(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except errors.DiscordError as exc:
        return error_response(exc)
    except web.HTTPNotFound:
        return json_response({"message": "404: Not Found", "code": 0}, 404)
    except web.HTTPMethodNotAllowed:
        return json_response({"message": "405: Method Not Allowed", "code": 0}, 405)


@dataclass
class _Route:
    """A known route's bucket: its limit, its window and the key of this request's slot."""

    limit: int
    window: float
    key: tuple[str, ...]
    hash: str
    exempt_from_global: bool


def _route_of(request: web.Request, limiter: RateLimiter, token: str) -> _Route | None:
    resource = request.match_info.route.resource
    if resource is None:  # an unknown route has no bucket, so no X-RateLimit-* headers
        return None
    template = resource.canonical[len(API_PREFIX) :]
    bucket = _bucket_of(request.method, template)
    limit, window = limiter.limits(bucket)
    major = tuple(request.match_info.get(p, "") for p in MAJOR_PARAMS)
    return _Route(
        limit,
        window,
        (bucket, token, *major),
        hashlib.sha256(f"{request.method} {template}".encode()).hexdigest()[:32],
        # Interaction and webhook routes are exempt from the global limit, as on Discord.
        bucket in ("webhook", "interaction_callback"),
    )


def make_middleware(limiter: RateLimiter) -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX + "/"):
            return await handler(request)
        state = request.app[STATE_KEY]
        path = request.path[len(API_PREFIX) :]
        token = bearer_token(request) or ""
        route = _route_of(request, limiter, token)
        fault_label: str | None = None
        response: web.StreamResponse

        fault = limiter.take_fault(request.method, path)
        # A stalled request is an ordinary one to the limits: it takes effect.
        stall_s = fault.stall_s if fault is not None and fault.status == STALLED else None
        if stall_s is not None:
            fault = None
        global_ok = (
            fault is not None
            or (route is not None and route.exempt_from_global)
            or limiter.take(("global", token), state.config.global_limit_per_second, 1.0)[0]
        )
        allowed, slot = True, None
        if route is not None:
            consume = fault is None and global_ok
            allowed, slot = limiter.take(route.key, route.limit, route.window, consume=consume)
        if fault is not None and fault.status == 429:
            fault_label = "429" if fault.scope == "user" else f"429-{fault.scope}"
            response = _rate_limited(fault.retry_after, fault.scope)
        elif fault is not None:
            fault_label = str(fault.status)
            response = json_response({"message": "Internal Server Error", "code": 0}, fault.status)
        elif not global_ok:
            fault_label = "429-global"
            response = _rate_limited(1.0, "global")
        elif slot is not None and not allowed:
            fault_label = "429"
            response = _rate_limited(slot.reset_at - time.monotonic(), "user")
        else:
            response = await _answer(request, handler)
            fault_label = None if stall_s is None else "stalled"
        global_429 = response.headers.get("X-RateLimit-Scope") == "global"
        if route is not None and slot is not None and not global_429:
            _route_headers(response, route.limit, slot, route.hash)
        response.headers["Via"] = "1.1 google"
        state.request_log.append(
            RequestLogEntry(request.method, path, response.status, time.time(), fault_label)
        )
        if stall_s is not None and fault_label == "stalled":
            await asyncio.sleep(stall_s)
        return response

    return middleware
