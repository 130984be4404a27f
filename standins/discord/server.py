"""The aiohttp application: REST under /api/v10, the gateway socket, and /_control."""

from __future__ import annotations

from aiohttp import web

from . import attachments, rest_core, rest_interactions, rest_messages, rest_threads
from .cloudflare import make_ban_middleware
from .core import EmulatorCore
from .http_util import GATEWAY_KEY, MESSAGING_KEY, STATE_KEY
from .ratelimit import API_PREFIX, make_middleware

LOOPBACK = ("127.0.0.1", "::1", "localhost")


def build_app(core: EmulatorCore) -> web.Application:
    # The Cloudflare ban sits outside Discord's own handling, as Cloudflare sits in front of it.
    middlewares = [make_ban_middleware(core.guard), make_middleware(core.limiter)]
    app = web.Application(middlewares=middlewares, client_max_size=32 << 20)
    app[STATE_KEY] = core.state
    app[GATEWAY_KEY] = core.gateway
    app[MESSAGING_KEY] = core.messaging
    rest_core.add_routes(app, API_PREFIX)
    rest_messages.add_routes(app, API_PREFIX)
    rest_interactions.add_routes(app, API_PREFIX)
    rest_threads.add_routes(app, API_PREFIX)
    attachments.add_routes(app)
    app.router.add_get("/gateway", core.gateway.handle)
    return app


class Server:
    """Runs the app on a loopback port; the emulator never listens anywhere else."""

    def __init__(self, app: web.Application, host: str, port: int) -> None:
        if host not in LOOPBACK:
            raise ValueError(f"the emulator listens on loopback only, not {host!r}")
        self.app = app
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> int:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
