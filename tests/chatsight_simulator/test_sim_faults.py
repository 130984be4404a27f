"""Fault injection, from Python and over the ``/_sim/`` control routes."""

from __future__ import annotations

import asyncio
import contextlib
import time

import aiohttp
import pytest

from standins.chatsight import ChatsightSimulator
from standins.chatsight.faults import StuckPhase
from tests.chatsight_simulator.harness import (
    STREAM_HEADERS,
    WebhookSink,
    query,
    running_simulator,
    start,
)


async def test_next_requests_on_a_route_fail_with_the_given_status(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession
) -> None:
    simulator.faults.fail_next("/stream/tag", status=502, count=2)
    statuses = [(await start(http, simulator, f"c{n}"))[0] for n in range(3)]
    assert statuses == [502, 502, 200]
    assert list(simulator.sessions) == ["c2"]


async def test_route_faults_only_hit_their_route(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession
) -> None:
    simulator.faults.fail_next("/stream", status=500)
    assert (await start(http, simulator, "c1"))[0] == 200
    assert (await query(http, simulator, "c1"))[0] == 500
    assert (await query(http, simulator, "c1"))[0] == 200


async def test_any_route_fault(simulator: ChatsightSimulator, http: aiohttp.ClientSession) -> None:
    simulator.faults.fail_next()
    assert (await query(http, simulator, "c1"))[0] == 503


def test_fail_next_takes_only_5xx_and_known_routes(simulator: ChatsightSimulator) -> None:
    with pytest.raises(ValueError, match="5xx"):
        simulator.faults.fail_next("/stream", status=404)
    with pytest.raises(ValueError, match="unknown route"):
        simulator.faults.fail_next("/nope")


async def test_rate_limit_sends_retry_after(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession
) -> None:
    simulator.faults.rate_limit_next("/stream", retry_after=7)
    async with http.get(
        f"{simulator.base_url}/stream", params={"convoid": "x"}, headers=STREAM_HEADERS
    ) as response:
        assert response.status == 429
        assert response.headers["Retry-After"] == "7"
        body = await response.json()
    assert body["success"] is False


async def test_slow_answers_then_a_normal_one(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession
) -> None:
    simulator.faults.slow_next("/stream/tag", delay=0.2)
    began = time.monotonic()
    status, _ = await start(http, simulator, "c1")
    assert status == 200
    assert time.monotonic() - began >= 0.2


async def test_stop_does_not_wait_for_a_slow_answer(http: aiohttp.ClientSession) -> None:
    sim = ChatsightSimulator()
    await sim.start()
    sim.faults.slow_next("/stream", delay=30)
    pending = asyncio.create_task(query(http, sim, "c1"))
    await sim.wait_for_requests(1, timeout=5)
    began = time.monotonic()
    await sim.stop()
    # The slow answer is cut short: it either arrives or its connection closes, promptly.
    with contextlib.suppress(aiohttp.ClientError):
        await asyncio.wait_for(pending, 5)
    assert time.monotonic() - began < 5


async def test_error_fault_ends_the_next_session_in_error(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession
) -> None:
    simulator.faults.error_next_session("decoder_failed")
    await start(http, simulator, "c1")
    await start(http, simulator, "c2")
    for convo in ("c1", "c2"):
        await simulator.finish(convo)
    assert simulator.status_of("c1")["metadata"]["stopReason"] == "decoder_failed"
    assert simulator.status_of("c1")["error"] is True
    assert simulator.status_of("c2")["error"] is False


async def test_error_fault_can_name_its_session(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession
) -> None:
    simulator.faults.error_next_session("timeout", convo_id="c2")
    for convo in ("c1", "c2"):
        await start(http, simulator, convo)
        await simulator.finish(convo)
    assert [simulator.status_of(c)["error"] for c in ("c1", "c2")] == [False, True]


async def test_a_lost_result_finishes_without_result_error_or_webhook(
    http: aiohttp.ClientSession, webhook_sink: WebhookSink
) -> None:
    async with running_simulator(provisioning_delay=0.01, running_delay=0.02) as sim:
        fault = {"fault": "lose_next_result", "convo_id": "lost"}  # as another process would
        async with http.post(f"{sim.base_url}/_sim/faults", json=fault) as response:
            assert response.status == 200
        await start(http, sim, "lost", webhook=webhook_sink.url)
        await start(http, sim, "normal", webhook=webhook_sink.url)
        [attempt] = await sim.wait_for_webhooks(1, timeout=5)
        assert attempt.convo_id == "normal"
        with pytest.raises(TimeoutError):
            await sim.wait_for_webhooks(2, timeout=0.2)
        _, (_, lost, _) = await query(http, sim, "lost")
        assert (lost["running"], lost["error"], "result" in lost) == (False, False, False)
        _, (_, normal, _) = await query(http, sim, "normal")
        assert "result" in normal


@pytest.mark.parametrize("phase", ["provisioning", "running"])
async def test_a_stuck_session_stays_in_its_phase(
    http: aiohttp.ClientSession, webhook_sink: WebhookSink, phase: StuckPhase
) -> None:
    async with running_simulator(provisioning_delay=0.01, running_delay=0.02) as sim:
        sim.faults.stick_next_session(phase)
        await start(http, sim, "stuck", webhook=webhook_sink.url)
        await start(http, sim, "normal", webhook=webhook_sink.url)
        # Both run the same timers; the one that is not stuck finishing proves time has passed.
        [attempt] = await sim.wait_for_webhooks(1, timeout=5)
        assert attempt.convo_id == "normal"
        assert sim.sessions["stuck"].state == phase
        await sim.finish("stuck")
        assert sim.status_of("stuck")["state"] == "finished"


async def test_advance_and_finish_refuse_what_cannot_be_done(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession
) -> None:
    with pytest.raises(KeyError):
        await simulator.finish("nobody")
    await start(http, simulator, "c1")
    await simulator.finish("c1")
    with pytest.raises(ValueError, match="already finished"):
        await simulator.advance("c1")


async def test_control_routes_drive_a_separate_process(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession, webhook_sink: WebhookSink
) -> None:
    base = f"{simulator.base_url}/_sim"
    async with http.post(
        f"{base}/faults", json={"fault": "fail_next", "path": "/stream/tag", "status": 500}
    ) as response:
        assert response.status == 200
    assert (await start(http, simulator, "c1", webhook=webhook_sink.url))[0] == 500
    async with http.post(f"{base}/faults", json={"fault": "duplicate_next_webhook"}):
        pass
    await start(http, simulator, "c1", webhook=webhook_sink.url)
    async with http.post(f"{base}/sessions/c1/advance") as response:
        assert (await response.json())["state"] == "running"
    async with http.post(f"{base}/sessions/c1/finish", json={"tags": ["Food"]}) as response:
        assert (await response.json())["result"]["tags"] == "Food"
    async with http.get(f"{base}/webhooks", params={"count": "2", "timeout": "5"}) as response:
        webhooks = await response.json()
    assert [a["status"] for a in webhooks["attempts"]] == [200, 200]
    async with http.get(f"{base}/sessions") as response:
        assert list(await response.json()) == ["c1"]
    async with http.get(f"{base}/requests") as response:
        assert [r["path"] for r in await response.json()] == ["/stream/tag", "/stream/tag"]


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/faults", {"fault": "rotate_secret"}, 400),
        ("/faults", {"fault": "fail_next", "status": 404}, 400),
        ("/faults", {"fault": "slow_next", "bogus": 1}, 400),
        ("/sessions/nobody/finish", {}, 404),
        ("/sessions/nobody/advance", None, 404),
        ("/sessions/nobody/finish", {"tags": "Fun"}, 400),
    ],
)
async def test_control_routes_refuse_bad_input(
    simulator: ChatsightSimulator,
    http: aiohttp.ClientSession,
    path: str,
    body: object,
    status: int,
) -> None:
    async with http.post(f"{simulator.base_url}/_sim{path}", json=body) as response:
        assert response.status == status


async def test_control_rotation_and_clearing(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession
) -> None:
    async with http.post(f"{simulator.base_url}/_sim/secret/rotate") as response:
        assert (await response.json())["sharedSecret"] == simulator.shared_secret
    simulator.faults.fail_next(count=5)
    async with http.post(f"{simulator.base_url}/_sim/faults/clear"):
        pass
    assert (await start(http, simulator, "c1"))[0] == 200
    async with http.get(
        f"{simulator.base_url}/_sim/webhooks", params={"count": "1", "timeout": "0.01"}
    ) as response:
        assert response.status == 408
