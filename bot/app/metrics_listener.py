"""The process's ``/metrics`` listener (bot/observability/exporter.py), as a command runs it:
on ``METRICS_HOST:METRICS_PORT``, or not at all with ``METRICS_PORT=0``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.config import Settings
from bot.errors import ConfigError
from bot.observability.exporter import MetricsExporter, ReadFigures

log = logging.getLogger(__name__)


@asynccontextmanager
async def metrics_listener(
    settings: Settings, figures: ReadFigures | None = None
) -> AsyncIterator[None]:
    """``figures``: in the one process that exports the database's figures
    (bot/app/deployment.py, exports_database_figures)."""
    if not settings.metrics_port:
        yield
        return
    exporter = MetricsExporter(figures)
    try:
        port = await exporter.start(settings.metrics_host, settings.metrics_port)
    except OSError as error:
        await exporter.stop()
        raise ConfigError(
            f"METRICS_PORT: cannot listen on {settings.metrics_host}:{settings.metrics_port}"
            f" ({error.strerror}); each process on a host needs its own port, or 0 for none"
        ) from None
    log.info("metrics on http://%s:%d/metrics", settings.metrics_host, port)
    try:
        yield
    finally:
        await exporter.stop()
