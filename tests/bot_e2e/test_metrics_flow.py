"""What a /tag round trip shows on the dashboard: a session started and finished, Chatsight
called, Discord posted to, and the wait from the accepted webhook to the message measured."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import REGISTRY

from tests.bot_e2e.harness import running_world
from tests.bot_e2e.server_helpers import custom_ids, final_answer
from tests.bot_e2e.tag_steps import TAGS_TITLE, eventually, tag
from tests.bot_e2e.test_server_alerts import announce_flagged_stream, set_up_alerts

STREAM = "https://streams.example/live?tags=Fun,Relaxed"


def value(name: str, labels: dict[str, str]) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_a_tag_round_trip_moves_every_figure_on_its_path(tmp_path: Path) -> None:
    figures = {
        "started": ("chatsight_sessions_started_total", {"source": "slash"}),
        "finished": ("chatsight_sessions_finished_total", {"state": "completed"}),
        "chatsight": (
            "chatsight_api_calls_total",
            {"endpoint": "POST /stream/tag", "status": "200"},
        ),
        "accepted": ("chatsight_webhooks_total", {"outcome": "accepted", "reason": "stored"}),
        "posted": ("chatsight_discord_requests_total", {"route": "message", "status": "200"}),
        "latency": ("chatsight_delivery_latency_seconds_count", {}),
    }
    async with running_world(tmp_path) as world:
        before = {key: value(name, labels) for key, (name, labels) in figures.items()}
        await tag(world, STREAM)
        await world.wait_for_embed(TAGS_TITLE)

        async def latency_seen() -> bool | None:
            # The emulator has the message a moment before the bot has Discord's answer.
            return value(*figures["latency"]) > before["latency"] or None

        await eventually(latency_seen)
        after = {key: value(name, labels) for key, (name, labels) in figures.items()}
    moved = {key: after[key] - before[key] for key in figures}
    assert moved["started"] == moved["finished"] == moved["chatsight"] == 1
    assert moved["accepted"] == 1
    assert moved["posted"] >= 1
    assert moved["latency"] >= 1


async def test_an_alert_raised_and_acknowledged_is_counted_once_each(tmp_path: Path) -> None:
    raised: tuple[str, dict[str, str]] = ("chatsight_alerts_raised_total", {})
    acknowledged: tuple[str, dict[str, str]] = ("chatsight_alerts_acknowledged_total", {})
    async with running_world(tmp_path) as world:
        setup = await set_up_alerts(world)
        before = value(*raised), value(*acknowledged)
        _, alert = await announce_flagged_stream(world, setup)
        (ack_id,) = [b for b in custom_ids(alert) if b.startswith("chatsight:ack:")]
        for _ in range(2):  # the second click finds it acknowledged already
            click = await world.emu.click_button(setup.alerts, alert.id, world.moderator, ack_id)
            await final_answer(world, click)

        async def counted() -> bool | None:
            return value(*raised) > before[0] or None

        await eventually(counted)
        assert (value(*raised) - before[0], value(*acknowledged) - before[1]) == (1, 1)
