"""/metrics as Prometheus scrapes it: a webhook moves its counter, a refusal its reason, and the
database's figures come from the one process asked to export them."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from bot.domain.store_figures import StoreFigures
from bot.observability.exporter import MetricsExporter
from bot.observability.metrics import WEBHOOK_REFUSALS, DatabaseFigures
from bot.store import Store
from tests.receiver_harness import Harness, running_receiver, webhook_body

ROOT = Path(__file__).resolve().parent.parent
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
async def harness(store: Store) -> AsyncIterator[Harness]:
    async with running_receiver(store) as running:
        yield running


async def scrape(http: aiohttp.ClientSession, port: int) -> tuple[str, Samples]:
    async with http.get(f"http://127.0.0.1:{port}/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        text = await response.text()
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    return text, samples


def webhooks(samples: Samples, outcome: str, reason: str) -> float:
    key = ("chatsight_webhooks_total", (("outcome", outcome), ("reason", reason)))
    return samples.get(key, 0.0)


async def test_webhooks_move_their_counters_and_the_outbox_shows_its_depth(
    harness: Harness,
) -> None:
    exporter = MetricsExporter(harness.store.figures)
    port = await exporter.start("127.0.0.1", 0)
    try:
        _, before = await scrape(harness.http, port)
        token = await harness.session("metrics-1")
        assert (await harness.post(token, webhook_body("metrics-1")))[0] == 200
        assert (await harness.post(token, webhook_body("metrics-1")))[0] == 200  # a repeat
        bad = webhook_body("metrics-1", secret="not-the-secret")
        assert (await harness.post(token, bad))[0] == 401
        assert (await harness.post("x" * 32, webhook_body("metrics-1")))[0] == 404
        assert (await harness.post(token, b"{", content_type="text/plain"))[0] == 415
        text, after = await scrape(harness.http, port)
    finally:
        await exporter.stop()

    for outcome, reason in (
        ("accepted", "stored"),
        ("accepted", "duplicate"),
        ("refused", "signature"),
        ("refused", "unknown_session"),
        ("refused", "content_type"),
    ):
        moved = webhooks(after, outcome, reason) - webhooks(before, outcome, reason)
        assert moved == 1, (outcome, reason)
    assert after[("chatsight_outbox_depth", ())] == 1  # the result, waiting for Discord
    assert after[("chatsight_follows_active", ())] == 0
    assert ("chatsight_outbox_oldest_due_seconds", ()) in after
    # Bounded labels: no session, token or channel ever names a series.
    assert "metrics-1" not in text
    assert token not in text


async def test_a_process_not_asked_exports_no_database_figures(harness: Harness) -> None:
    exporter = MetricsExporter()
    port = await exporter.start("127.0.0.1", 0)
    try:
        text, samples = await scrape(harness.http, port)
    finally:
        await exporter.stop()
    assert "chatsight_outbox_depth" not in text
    assert any(name == "chatsight_webhooks_total" for name, _ in samples)


def _exported() -> set[str]:
    """Every series name the bot exports, counters and histograms with their suffixes."""
    figures = DatabaseFigures()
    figures.update(StoreFigures(0, None, 0), 0)
    exported = {family.name for family in figures.collect()}
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum")}
    for family in REGISTRY.collect():
        exported |= {family.name + suffix for suffix in suffixes.get(family.type, ("",))}
    return exported


def test_the_dashboard_shows_only_metrics_the_bot_exports() -> None:
    dashboard = json.loads((ROOT / "deploy" / "grafana" / "chatsight-bot.json").read_text())
    queried = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"chatsight_[a-z_]+", target["expr"])
    }
    assert queried
    assert queried - _exported() == set()


def test_the_alert_rules_watch_only_metrics_and_labels_the_bot_exports() -> None:
    """A rule on a renamed metric or a label value the bot never writes would never fire."""
    rules = (ROOT / "deploy" / "prometheus" / "chatsight-bot-alerts.yml").read_text()
    watched = set(re.findall(r"chatsight_[a-z_]+", rules))
    assert {"chatsight_outbox_oldest_due_seconds", "chatsight_webhooks_total"} <= watched
    assert watched - _exported() == set()
    reasons = set(re.findall(r'reason="([a-z_]+)"', rules))
    assert reasons <= set(WEBHOOK_REFUSALS.values())
