"""The simulator's HTTP surface follows docs/chatsight-api.md (§12 where docs are silent)."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from standins.chatsight import ChatsightSimulator
from tests.chatsight_simulator.harness import (
    API_KEY,
    STREAM_HEADERS,
    STREAM_URL,
    WebhookSink,
    query,
    running_simulator,
    start,
)

GENERIC_ERROR_KEYS = {"api", "success", "error"}


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("POST", "/stream/tag", {}),
        (
            "POST",
            "/stream/tag",
            {"x-chatsight-api-auth": "wrong", "x-chatsight-api": "chatsightvoice"},
        ),
        ("POST", "/stream/tag", {"x-chatsight-api-auth": API_KEY}),
        ("GET", "/stream?convoid=x", {"x-chatsight-api-auth": API_KEY}),
        ("GET", "/stream?convoid=x", {"x-chatsight-api-auth": API_KEY, "x-chatsight-api": "other"}),
        ("PATCH", "/addons/secrets", {"x-chatsight-api-auth": "wrong"}),
    ],
)
async def test_auth_failures_answer_the_generic_error(
    simulator: ChatsightSimulator,
    http: aiohttp.ClientSession,
    method: str,
    path: str,
    headers: dict[str, str],
) -> None:
    async with http.request(method, simulator.base_url + path, json={}, headers=headers) as r:
        assert r.status == 401
        body = await r.json()
    assert set(body) == GENERIC_ERROR_KEYS
    assert body["api"] == "chatsight-lang-text"
    assert body["success"] is False
    assert isinstance(body["error"], dict)
    assert simulator.sessions == {}


async def test_auth_failure_status_is_configurable(http: aiohttp.ClientSession) -> None:
    async with (
        running_simulator(auth_failure_status=403) as sim,
        http.get(f"{sim.base_url}/stream?convoid=x") as response,
    ):
        assert response.status == 403


async def test_the_secrets_route_needs_no_voice_header(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession
) -> None:
    async with http.patch(
        f"{simulator.base_url}/addons/secrets", json={}, headers={"x-chatsight-api-auth": API_KEY}
    ) as response:
        assert response.status == 200


@pytest.mark.parametrize(
    "body",
    [
        {"convoId": "c1"},
        {"url": "ftp://streams.test/a", "convoId": "c1"},
        {"url": "not a url", "convoId": "c1"},
        {"url": 7, "convoId": "c1"},
        {"url": STREAM_URL},
        {"url": STREAM_URL, "convoId": ""},
        {"url": STREAM_URL, "convoId": 12},
        {"url": STREAM_URL, "convoId": "c1", "webhook": "rtmp://hooks.test/x"},
        {"url": STREAM_URL, "convoId": "c1", "webhook": 5},
        {"url": STREAM_URL, "convoId": "c1", "seedSentence": ["a"]},
        ["not", "an", "object"],
    ],
)
async def test_invalid_tag_requests_are_refused(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession, body: Any
) -> None:
    async with http.post(
        f"{simulator.base_url}/stream/tag", json=body, headers=STREAM_HEADERS
    ) as response:
        assert response.status == 400
        answer = await response.json()
    assert answer[0] is False
    assert answer[1] is None
    assert answer[2]["message"]
    assert simulator.sessions == {}


async def test_a_body_that_is_not_json_is_refused(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession
) -> None:
    async with http.post(
        f"{simulator.base_url}/stream/tag", data=b"{", headers=STREAM_HEADERS
    ) as response:
        assert response.status == 400


@pytest.mark.parametrize("url", ["http://s.test/a", "rtmp://s.test/live/key", "rtmps://s.test/x"])
async def test_every_stream_scheme_is_accepted(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession, url: str
) -> None:
    status, answer = await start(http, simulator, "c1", url=url)
    assert status == 200
    assert answer == [True, {"convoId": "c1", "state": "provisioning", "running": True}, None]


async def test_seed_and_webhook_are_kept(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession, webhook_sink: WebhookSink
) -> None:
    body = {"url": STREAM_URL, "convoId": "c1", "webhook": webhook_sink.url, "seedSentence": "Hé"}
    async with http.post(f"{simulator.base_url}/stream/tag", json=body, headers=STREAM_HEADERS):
        pass
    request = simulator.sessions["c1"].request
    assert (request.webhook, request.seed) == (webhook_sink.url, "Hé")
    assert simulator.status_of("c1")["metadata"]["webhook"] == webhook_sink.url


async def test_a_reused_convo_id_replaces_the_session(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession
) -> None:
    await start(http, simulator, "c1", url=f"{STREAM_URL}?tags=Food")
    await simulator.finish("c1")
    await start(http, simulator, "c1", url=f"{STREAM_URL}?tags=Music")
    _, answer = await query(http, simulator, "c1")
    assert answer[1]["state"] == "provisioning"
    assert answer[1]["uri"] == f"{STREAM_URL}?tags=Music"
    assert "result" not in answer[1]
    assert len(simulator.sessions) == 1


async def test_query_follows_the_session_through_its_phases(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession
) -> None:
    await start(http, simulator, "c1", url=f"{STREAM_URL}?tags=Food,Fun,Outdoors")
    seen = []
    for step in (None, simulator.advance, simulator.advance):
        if step is not None:
            await step("c1")
        status, answer = await query(http, simulator, "c1")
        assert status == 200
        assert answer[0] is True
        assert answer[2] is None
        seen.append(answer[1])
    assert [(s["state"], s["running"]) for s in seen] == [
        ("provisioning", True),
        ("running", True),
        ("finished", False),
    ]
    assert all("result" not in s and "stopReason" not in s["metadata"] for s in seen[:2])
    finished = seen[2]
    assert finished["convoId"] == "c1"
    assert finished["error"] is False
    assert finished["result"] == {
        "methods": {"sampling": "edge", "search": "explore"},
        "tags": "Food, Fun, Outdoors",
    }
    assert finished["metadata"]["sampleMethod"] == "edge"
    assert finished["metadata"]["searchMethod"] == "explore"
    assert finished["metadata"]["stopReason"]
    assert finished["metadata"]["webhook"] is None


async def test_an_errored_session_has_a_stop_reason_and_no_result(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession
) -> None:
    await start(http, simulator, "c1")
    await simulator.finish("c1", stop_reason="out_of_memory")
    _, answer = await query(http, simulator, "c1")
    status = answer[1]
    assert (status["error"], status["running"], status["state"]) == (True, False, "finished")
    assert status["metadata"]["stopReason"] == "out_of_memory"
    assert "result" not in status


async def test_sessions_finish_on_their_own_in_auto_mode(
    http: aiohttp.ClientSession, webhook_sink: WebhookSink
) -> None:
    async with running_simulator(provisioning_delay=0.01, running_delay=0.01) as sim:
        await start(http, sim, "c1", webhook=webhook_sink.url)
        assert sim.sessions["c1"].state == "provisioning"
        await sim.wait_for_webhooks(1, timeout=5)
        _, answer = await query(http, sim, "c1")
    assert answer[1]["state"] == "finished"
    assert answer[1]["result"]["tags"] == "Fun, Relaxed"


@pytest.mark.parametrize(
    ("settings", "where"),
    [({"undocumented_in": "result"}, "result"), ({"undocumented_in": "top"}, "top")],
)
async def test_undocumented_flag_can_be_put_where_the_docs_are_silent(
    http: aiohttp.ClientSession, settings: dict[str, Any], where: str
) -> None:
    async with running_simulator(auto_advance=False, **settings) as sim:
        await start(http, sim, "c1", url=f"{STREAM_URL}?tags=Fun,Violence")
        await sim.finish("c1")
        status = (await query(http, sim, "c1"))[1][1]
    holder = status["result"] if where == "result" else status
    assert holder["undocumentedTags"] is True


async def test_state_can_be_left_out_to_test_tolerant_readers(http: aiohttp.ClientSession) -> None:
    async with running_simulator(auto_advance=False, include_state=False) as sim:
        await start(http, sim, "c1")
        assert "state" not in (await query(http, sim, "c1"))[1][1]


async def test_unknown_convoid(simulator: ChatsightSimulator, http: aiohttp.ClientSession) -> None:
    status, answer = await query(http, simulator, "nobody")
    assert status == 404
    assert answer == [False, None, {"message": "unknown convoid"}]


async def test_the_query_parameter_is_lowercase(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession
) -> None:
    await start(http, simulator, "c1")
    async with http.get(
        f"{simulator.base_url}/stream", params={"convoId": "c1"}, headers=STREAM_HEADERS
    ) as response:
        assert response.status == 400


async def test_secret_rotation_answers_the_envelope_and_signs_with_the_new_secret(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession
) -> None:
    old = simulator.shared_secret
    async with http.patch(
        f"{simulator.base_url}/addons/secrets", json={}, headers={"x-chatsight-api-auth": API_KEY}
    ) as response:
        answer = await response.json()
    assert answer["api"] == "chatsight-lang-text"
    assert answer["success"] is True
    new = answer["response"]["sharedSecret"]
    assert answer["response"]["info"] == "This secret will not be shown again!"
    assert new != old
    assert simulator.shared_secret == new


async def test_every_request_is_recorded(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession
) -> None:
    await start(http, simulator, "c1")
    await query(http, simulator, "c1")
    async with http.get(f"{simulator.base_url}/_sim/sessions"):
        pass
    recorded = simulator.requests
    assert [(r.method, r.path) for r in recorded] == [("POST", "/stream/tag"), ("GET", "/stream")]
    assert recorded[0].json() == {"url": STREAM_URL, "convoId": "c1"}
    assert recorded[0].headers["x-chatsight-api"] == "chatsightvoice"
    assert recorded[1].query == {"convoid": "c1"}
    assert simulator.requests_to("/stream", "GET") == [recorded[1]]
