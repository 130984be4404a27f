"""Every metric the bot exports, defined once (prometheus-client, the standard exporter).

Labels are bounded by construction: outcomes, reasons, states, sources and HTTP statuses come
from fixed sets, never a guild, channel, session or URL, so a busy bot does not grow a series
per stream. Figures read from the shared database (the outbox, follows) are gauges that only one
process exports (``DatabaseFigures``), so a sum over processes does not count them twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from prometheus_client import Counter, Histogram, disable_created_metrics
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.domain.records import Delivery
from bot.domain.store_figures import StoreFigures

# A `_created` series beside every counter doubles the scrape for a timestamp Prometheus itself
# keeps (a counter's reset is seen by rate()).
disable_created_metrics()  # type: ignore[no-untyped-call]

WEBHOOKS = Counter(
    "chatsight_webhooks_total",
    "Webhooks received from Chatsight: accepted (stored) or refused, by reason.",
    ["outcome", "reason"],
)
SESSIONS_STARTED = Counter(
    "chatsight_sessions_started_total",
    "Tagging sessions Chatsight accepted, by source.",
    ["source"],
)
SESSIONS_FINISHED = Counter(
    "chatsight_sessions_finished_total",
    "Tagging sessions that reached a final state (completed, failed, expired).",
    ["state"],
)
CHATSIGHT_CALLS = Counter(
    "chatsight_api_calls_total",
    "Calls to Chatsight's API by endpoint and answer (an HTTP status, timeout or unreachable).",
    ["endpoint", "status"],
)
CHATSIGHT_LATENCY = Histogram(
    "chatsight_api_call_seconds", "Time for one call to Chatsight's API, by endpoint.", ["endpoint"]
)
DISCORD_REQUESTS = Counter(
    "chatsight_discord_requests_total",
    "Requests the bot sent to Discord's REST API, by route kind and status (429s included).",
    ["route", "status"],
)
DELIVERY_LATENCY = Histogram(
    "chatsight_delivery_latency_seconds",
    "From a result accepted (webhook stored) to its message posted in Discord.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800),
)
ANNOUNCED_STREAMS = Counter(
    "chatsight_announced_streams_total",
    "Stream links in announcements of watched channels, by what auto-tagging did with each:"
    " started, waiting (for a free slot), sample_later (followed, its first sample failed),"
    " recent (tagged in the dedupe window), followed (the server follows it), no_stream.",
    ["outcome"],
)
ALERTS_RAISED = Counter("chatsight_alerts_raised_total", "Moderator alerts posted.")
ALERTS_ACKNOWLEDGED = Counter(
    "chatsight_alerts_acknowledged_total", "Moderator alerts a moderator acknowledged."
)
GATEWAY_RECONNECTS = Counter(
    "chatsight_gateway_reconnects_total",
    "Times a gateway shard connected again after losing its connection (resumed or anew).",
)

# Refusals by the status the receiver answers with: a short reason per status, never the text
# (which may name a session).
WEBHOOK_REFUSALS = {
    400: "malformed",
    401: "signature",
    404: "unknown_session",
    413: "too_large",
    415: "content_type",
    503: "store_unavailable",
}


def webhook_refused(status: int) -> None:
    WEBHOOKS.labels("refused", WEBHOOK_REFUSALS.get(status, str(status))).inc()


def delivered(rows: Iterable[Delivery], now_ms: int) -> None:
    """Each row's wait from its webhook's acceptance (when its row was queued) to its post."""
    for row in rows:
        if row.created_at_ms:
            DELIVERY_LATENCY.observe(max(0, now_ms - row.created_at_ms) / 1000)


class DatabaseFigures(Collector):
    """The shared database's figures as of the last read: registered only in the process that
    exports them, so the others export no such series at all (rather than a misleading 0)."""

    def __init__(self) -> None:
        self._figures: StoreFigures | None = None
        self._read_at_ms = 0

    def update(self, figures: StoreFigures, now_ms: int) -> None:
        self._figures, self._read_at_ms = figures, now_ms

    def collect(self) -> Iterator[Metric]:
        figures = self._figures
        if figures is None:
            return
        oldest = figures.oldest_due_ms
        waited = 0.0 if oldest is None else max(0, self._read_at_ms - oldest) / 1000
        yield GaugeMetricFamily(
            "chatsight_outbox_depth",
            "Deliveries waiting to be posted (the whole database).",
            value=figures.outbox_depth,
        )
        yield GaugeMetricFamily(
            "chatsight_outbox_oldest_due_seconds",
            "How long the longest-waiting due delivery has waited; 0 when none is due.",
            value=waited,
        )
        yield GaugeMetricFamily(
            "chatsight_follows_active",
            "Followed streams being sampled (the whole database).",
            value=figures.active_follows,
        )
