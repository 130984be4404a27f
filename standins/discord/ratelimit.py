"""Rate limits and injected faults, applied in front of every REST route.

discord.py paces itself from the ``X-RateLimit-*`` headers and waits out 429s, so every answer
carries the headers of a real per-route bucket, and 429s carry everything discord.py checks
(``Via``, ``retry_after``, ``global``). Faults let a test force a 429 or a 5xx on a route.
"""

from __future__ import annotations

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
    is_global: bool = False


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


def _rate_limited(retry_after: float, is_global: bool, bucket_hash: str) -> web.Response:
    response = json_response(
        {
            "message": "You are being rate limited.",
            "retry_after": round(retry_after, 3),
            "global": is_global,
        },
        429,
    )
    response.headers["Retry-After"] = str(max(1, round(retry_after + 0.4999)))
    response.headers["X-RateLimit-Scope"] = "global" if is_global else "user"
    response.headers["X-RateLimit-Bucket"] = bucket_hash
    if is_global:
        response.headers["X-RateLimit-Global"] = "true"
    return response


def _bucket_of(method: str, template: str) -> str:
    if template.startswith(WEBHOOK_PREFIX):
        return "webhook"
    return ROUTE_BUCKETS.get((method, template), "default")


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def make_middleware(limiter: RateLimiter) -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX + "/"):
            return await handler(request)
        state = request.app[STATE_KEY]
        path = request.path[len(API_PREFIX) :]
        resource = request.match_info.route.resource
        template = resource.canonical[len(API_PREFIX) :] if resource is not None else path
        bucket = _bucket_of(request.method, template)
        bucket_hash = hashlib.sha256(f"{request.method} {template}".encode()).hexdigest()[:32]
        limit, window = limiter.limits(bucket)
        major = tuple(request.match_info.get(p, "") for p in MAJOR_PARAMS)
        token = bearer_token(request) or ""
        fault_label: str | None = None
        response: web.StreamResponse

        key = (bucket, token, *major)
        fault = limiter.take_fault(request.method, path)
        # Interaction and webhook routes are exempt from the global limit, as on Discord.
        global_ok = (
            fault is not None
            or bucket in ("webhook", "interaction_callback")
            or (limiter.take(("global", token), state.config.global_limit_per_second, 1.0)[0])
        )
        allowed, slot = limiter.take(key, limit, window, consume=fault is None and global_ok)
        if fault is not None and fault.status == 429:
            fault_label = "429-global" if fault.is_global else "429"
            response = _rate_limited(fault.retry_after, fault.is_global, bucket_hash)
        elif fault is not None:
            fault_label = str(fault.status)
            response = json_response({"message": "Internal Server Error", "code": 0}, fault.status)
        elif not global_ok:
            fault_label = "429-global"
            response = _rate_limited(1.0, True, bucket_hash)
        elif not allowed:
            fault_label = "429"
            response = _rate_limited(slot.reset_at - time.monotonic(), False, bucket_hash)
        else:
            try:
                response = await handler(request)
            except errors.DiscordError as exc:
                response = error_response(exc)
            except web.HTTPNotFound:
                response = json_response({"message": "404: Not Found", "code": 0}, 404)
            except web.HTTPMethodNotAllowed:
                response = json_response({"message": "405: Method Not Allowed", "code": 0}, 405)
        reset_after = max(0.0, slot.reset_at - time.monotonic())
        response.headers["X-RateLimit-Limit"] = str(limit)
        response.headers["X-RateLimit-Remaining"] = str(max(0, limit - slot.count))
        response.headers["X-RateLimit-Reset"] = f"{time.time() + reset_after:.3f}"
        response.headers["X-RateLimit-Reset-After"] = f"{reset_after:.3f}"
        response.headers["X-RateLimit-Bucket"] = bucket_hash
        response.headers["Via"] = "1.1 google"
        state.request_log.append(
            RequestLogEntry(request.method, path, response.status, time.time(), fault_label)
        )
        return response

    return middleware
