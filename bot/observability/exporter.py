"""``/metrics``: the Prometheus text format on its own listener.

Not on the webhook listener, which faces the internet behind the proxy: metrics describe the
internals, so they are served on ``METRICS_HOST:METRICS_PORT`` (loopback by default) for a
Prometheus on the same host or network. Figures read from the database are read by the scrape
itself, in the one process given ``figures``, so a scrape is always current, an idle process
reads nothing, and several processes never export the same figure twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from bot.domain.clock import now_ms
from bot.domain.store_figures import StoreFigures
from bot.observability.metrics import DatabaseFigures

log = logging.getLogger(__name__)

ReadFigures = Callable[[int], Awaitable[StoreFigures]]


class MetricsExporter:
    def __init__(self, figures: ReadFigures | None = None) -> None:
        self._read_figures = figures
        self._figures = DatabaseFigures() if figures is not None else None
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(app, access_log=None)
        self.port: int | None = None

    async def start(self, host: str, port: int) -> int:
        if self._figures is not None:
            REGISTRY.register(self._figures)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        addresses = self._runner.addresses
        self.port = int(addresses[0][1]) if addresses else port
        return self.port

    async def stop(self) -> None:
        await self._runner.cleanup()
        if self._figures is not None:
            REGISTRY.unregister(self._figures)

    async def _metrics(self, _request: web.Request) -> web.Response:
        if self._read_figures is not None and self._figures is not None:
            now = now_ms()
            try:
                self._figures.update(await self._read_figures(now), now)
            except Exception:  # the database's figures go stale; the counters still answer
                log.warning("metrics: could not read the database's figures", exc_info=True)
        return web.Response(
            body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )
