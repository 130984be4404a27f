"""The one-shot signed webhook (docs/chatsight-api.md §3.1, §4) and the faults that bend it."""

from __future__ import annotations

import aiohttp
import pytest

from bot.domain.clock import now_ms
from bot.webhook.signing import signature_matches
from standins.chatsight import ChatsightSimulator
from tests.chatsight_simulator.harness import (
    STREAM_URL,
    WebhookSink,
    running_simulator,
    start,
)


async def test_the_webhook_body_is_signed_over_its_time(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession, webhook_sink: WebhookSink
) -> None:
    await start(
        http, simulator, "c1", url=f"{STREAM_URL}?tags=Fun,Relaxed", webhook=webhook_sink.url
    )
    before = now_ms()
    await simulator.finish("c1")
    [body] = webhook_sink.bodies
    assert set(body) == {"sender", "addon", "payload", "time", "hmac"}
    assert body["sender"] == "chatsight-webhooks"
    assert body["addon"] == "ssiQuery"
    assert body["payload"] == {"tags": "Fun,Relaxed", "undocumentedTags": False, "convoId": "c1"}
    assert isinstance(body["time"], int)
    assert before <= body["time"] <= now_ms()
    assert signature_matches(simulator.shared_secret, str(body["time"]), body["hmac"])
    [attempt] = simulator.webhook_attempts
    assert (attempt.url, attempt.status, attempt.delivered) == (webhook_sink.url, 200, True)
    assert attempt.body == body


async def test_tags_outside_the_placeholder_list_are_flagged_undocumented(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession, webhook_sink: WebhookSink
) -> None:
    await start(
        http, simulator, "c1", url=f"{STREAM_URL}?tags=Fun,Violence", webhook=webhook_sink.url
    )
    await simulator.finish("c1")
    assert webhook_sink.bodies[0]["payload"]["undocumentedTags"] is True


async def test_after_rotation_only_the_new_secret_signs(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession, webhook_sink: WebhookSink
) -> None:
    old = simulator.shared_secret
    await start(http, simulator, "c1", webhook=webhook_sink.url)
    new = simulator.rotate_secret()
    await simulator.finish("c1")
    body = webhook_sink.bodies[0]
    assert signature_matches(new, str(body["time"]), body["hmac"])
    assert not signature_matches(old, str(body["time"]), body["hmac"])


async def test_no_webhook_url_means_no_webhook(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession
) -> None:
    await start(http, simulator, "c1")
    await simulator.finish("c1")
    assert simulator.webhook_attempts == []


async def test_a_refused_delivery_is_recorded_and_not_retried(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession, webhook_sink: WebhookSink
) -> None:
    webhook_sink.statuses = [204]  # a 2xx, but only exactly 200 counts (docs/chatsight-api.md §3.1)
    await start(http, simulator, "c1", webhook=webhook_sink.url)
    await simulator.finish("c1")
    [attempt] = simulator.webhook_attempts
    assert (attempt.status, attempt.delivered, attempt.response_text) == (204, False, "")
    assert len(webhook_sink.bodies) == 1


async def test_retries_are_a_switch(http: aiohttp.ClientSession, webhook_sink: WebhookSink) -> None:
    webhook_sink.statuses = [500, 503]
    async with running_simulator(
        auto_advance=False, webhook_retries=3, webhook_retry_delay=0
    ) as sim:
        await start(http, sim, "c1", webhook=webhook_sink.url)
        await sim.finish("c1")
        assert [a.status for a in sim.webhook_attempts] == [500, 503, 200]
    assert webhook_sink.bodies[0] == webhook_sink.bodies[2]


async def test_an_unreachable_receiver_is_recorded_as_an_error(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession, webhook_sink: WebhookSink
) -> None:
    url = webhook_sink.url
    await webhook_sink.stop()
    await start(http, simulator, "c1", webhook=url)
    await simulator.finish("c1")
    [attempt] = simulator.webhook_attempts
    assert attempt.status is None
    assert attempt.error


async def test_webhooks_go_only_to_loopback_hosts(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession
) -> None:
    await start(http, simulator, "c1", webhook="https://bot.example.com/hook")
    await simulator.finish("c1")
    [attempt] = simulator.webhook_attempts
    assert attempt.status is None
    assert attempt.error is not None
    assert "not allowed" in attempt.error


async def test_errored_sessions_send_no_webhook_unless_switched_on(
    http: aiohttp.ClientSession, webhook_sink: WebhookSink
) -> None:
    for switch, expected in ((False, 0), (True, 1)):
        async with running_simulator(auto_advance=False, webhook_on_error=switch) as sim:
            await start(http, sim, "c1", webhook=webhook_sink.url)
            await sim.finish("c1", stop_reason="stream_unavailable")
            assert len(sim.webhook_attempts) == expected
    assert webhook_sink.bodies[0]["payload"]["tags"] == ""


async def test_bad_signature_fault(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession, webhook_sink: WebhookSink
) -> None:
    simulator.faults.bad_signature_next_webhook()
    for convo in ("c1", "c2"):
        await start(http, simulator, convo, webhook=webhook_sink.url)
        await simulator.finish(convo)
    bad, good = webhook_sink.bodies
    assert not signature_matches(simulator.shared_secret, str(bad["time"]), bad["hmac"])
    assert signature_matches(simulator.shared_secret, str(good["time"]), good["hmac"])


async def test_stale_time_fault_is_still_correctly_signed(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession, webhook_sink: WebhookSink
) -> None:
    simulator.faults.stale_next_webhook(600)
    await start(http, simulator, "c1", webhook=webhook_sink.url)
    await simulator.finish("c1")
    body = webhook_sink.bodies[0]
    assert now_ms() - body["time"] >= 600_000
    assert signature_matches(simulator.shared_secret, str(body["time"]), body["hmac"])


async def test_duplicate_fault_sends_the_same_body_twice(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession, webhook_sink: WebhookSink
) -> None:
    simulator.faults.duplicate_next_webhook()
    await start(http, simulator, "c1", webhook=webhook_sink.url)
    await simulator.finish("c1")
    first, second = webhook_sink.bodies
    assert first == second


async def test_dropped_webhook_still_finishes_the_session(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession, webhook_sink: WebhookSink
) -> None:
    simulator.faults.drop_next_webhook()
    await start(http, simulator, "c1", webhook=webhook_sink.url)
    await simulator.finish("c1")
    assert webhook_sink.bodies == []
    assert simulator.dropped_webhooks == ["c1"]
    assert simulator.status_of("c1")["result"]["tags"] == "Fun, Relaxed"


async def test_waiting_for_webhooks_times_out(simulator: ChatsightSimulator) -> None:
    with pytest.raises(TimeoutError):
        await simulator.wait_for_webhooks(1, timeout=0.05)


async def test_waiting_wakes_on_each_attempt(
    auto_simulator: ChatsightSimulator, http: aiohttp.ClientSession, webhook_sink: WebhookSink
) -> None:
    for convo in ("c1", "c2"):
        await start(http, auto_simulator, convo, webhook=webhook_sink.url)
    attempts = await auto_simulator.wait_for_webhooks(2, timeout=5)
    assert sorted(a.convo_id for a in attempts) == ["c1", "c2"]
