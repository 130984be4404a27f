"""The invalid-request limit ("Cloudflare bans") in front of the REST API.

Discord counts the answers with status 401, 403 and 429 per IP address over a rolling ten
minutes, leaving out 429s with ``X-RateLimit-Scope: shared``; past 10,000 of them, Cloudflare
answers every request from that address with its own 429 for about an hour (docs/discord-notes.md,
rate limits and invalid requests). That answer is an HTML page without Discord's ``Via`` header
and without rate-limit headers: discord.py's ``HTTPClient.request`` takes a 429 without ``Via``
(or with a text body) for a ban and raises ``HTTPException`` instead of waiting.

Clients are told apart by remote address, as Discord does. Every client of the emulator is on
loopback, so all of them share one count, as the processes of a bot on one host share its IP.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.typedefs import Middleware

from .http_util import STATE_KEY
from .model import JSON, RequestLogEntry
from .ratelimit import API_PREFIX, Handler
from .state import EmulatorConfig

COUNTED_STATUSES = frozenset({401, 403, 429})

BAN_PAGE = """<!DOCTYPE html>
<html lang="en-US">
<head><title>Access denied | discord.com used Cloudflare to restrict access</title></head>
<body>
<h1>Error 1015</h1>
<h2>You are being rate limited</h2>
<p>The owner of this website (discord.com) has banned you temporarily from accessing it.</p>
</body>
</html>
"""


@dataclass
class _Client:
    answers: deque[float] = field(default_factory=deque)  # monotonic times of invalid answers
    banned_until: float = 0.0


class InvalidRequestGuard:
    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self._clients: dict[str, _Client] = {}

    def _client(self, address: str, now: float) -> _Client:
        client = self._clients.setdefault(address, _Client())
        while client.answers and now - client.answers[0] >= self.config.invalid_request_window:
            client.answers.popleft()
        return client

    def ban_remaining(self, address: str) -> float:
        now = time.monotonic()
        return max(0.0, self._client(address, now).banned_until - now)

    def record(self, address: str, status: int, scope: str | None) -> None:
        """Count an answer Discord counts; past the limit the address is banned."""
        if status not in COUNTED_STATUSES or (status == 429 and scope == "shared"):
            return
        now = time.monotonic()
        client = self._client(address, now)
        client.answers.append(now)
        if len(client.answers) > self.config.invalid_request_limit:
            client.banned_until = now + self.config.ban_duration
            client.answers.clear()

    def report(self, address: str) -> JSON:
        now = time.monotonic()
        client = self._client(address, now)
        return {
            "address": address,
            "count": len(client.answers),
            "limit": self.config.invalid_request_limit,
            "window": self.config.invalid_request_window,
            "banned_for": round(max(0.0, client.banned_until - now), 3),
        }

    def lift(self) -> None:
        """Forget every count and ban, as if the hour had passed."""
        self._clients.clear()


def banned_response(retry_after: float) -> web.Response:
    response = web.Response(status=429, text=BAN_PAGE, content_type="text/html")
    response.headers["Retry-After"] = str(max(1, round(retry_after)))
    response.headers["Server"] = "cloudflare"
    return response


def make_ban_middleware(guard: InvalidRequestGuard) -> Middleware:
    """The outermost middleware: a banned address never reaches Discord's own handling."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX + "/"):
            return await handler(request)
        address = request.remote or ""
        remaining = guard.ban_remaining(address)
        if remaining > 0:
            path = request.path[len(API_PREFIX) :]
            entry = RequestLogEntry(request.method, path, 429, time.time(), "cloudflare-ban")
            request.app[STATE_KEY].request_log.append(entry)
            return banned_response(remaining)
        response = await handler(request)
        guard.record(address, response.status, response.headers.get("X-RateLimit-Scope"))
        return response

    return middleware
