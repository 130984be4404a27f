"""WebhookServer: the listener embedded in the bot's own event loop, or run alone."""

from __future__ import annotations

import gc

from aiohttp import web


class WebhookServer:
    """Serves on an already running loop, as the bot needs: the receiver's low-level server, or
    an application (the ingest benchmark's yardstick, bench/webhook_ingest.py)."""

    def __init__(self, handler: web.Server | web.Application) -> None:
        self._runner: web.BaseRunner
        if isinstance(handler, web.Application):
            self._runner = web.AppRunner(handler, access_log=None, shutdown_timeout=10.0)
        else:
            self._runner = web.ServerRunner(handler, shutdown_timeout=10.0)
        self.port: int | None = None

    async def start(self, host: str, port: int) -> int:
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        addresses = self._runner.addresses
        self.port = int(addresses[0][1]) if addresses else port
        # What exists once the listener is up (modules, discord.py and all, the app, the store)
        # lives as long as the process. Frozen, the collector stops walking it on every full
        # collection: in `serve-webhooks` each was a 17-40 ms pause of the loop, which wrk's
        # correction for coordinated omission turned into the p99 (bench/webhook_ingest.py).
        # Collected first, so no garbage of the start-up is frozen with it.
        gc.collect()
        gc.freeze()
        return self.port

    async def stop(self) -> None:
        """Stops taking requests and lets in-flight ones finish before the store closes."""
        await self._runner.cleanup()
