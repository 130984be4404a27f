"""Starting, querying and rotating: each documented call, and what the client makes of it."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from bot.chatsight.client import ChatsightClient
from bot.chatsight.wire import SessionPhase, SessionStatus
from bot.config import Secret
from bot.domain.tags import TagResult
from standins.chatsight import ChatsightSimulator
from tests.chatsight_client.conftest import KEY, Sleeps, client_for
from tests.chatsight_simulator.harness import STREAM_URL, running_simulator

# -- the happy path --------------------------------------------------------------------------


async def test_a_session_through_every_phase(
    client: ChatsightClient, sim: ChatsightSimulator
) -> None:
    await client.start_session(
        url=f"{STREAM_URL}?tags=Food,Fun,Outdoors", convo_id="c1", webhook=None
    )
    phases = [(await client.query_session("c1")).phase]
    for _ in range(2):
        await sim.advance("c1")
        phases.append((await client.query_session("c1")).phase)
    assert phases == [SessionPhase.PROVISIONING, SessionPhase.RUNNING, SessionPhase.FINISHED]
    assert await client.query_session("c1") == SessionStatus(
        convo_id="c1",
        phase=SessionPhase.FINISHED,
        error=False,
        stop_reason="completed",
        result=TagResult(("Food", "Fun", "Outdoors"), undocumented=False),
    )


async def test_an_unfinished_session_has_no_result(
    client: ChatsightClient, sim: ChatsightSimulator
) -> None:
    await client.start_session(url=STREAM_URL, convo_id="c1", webhook=None)
    status = await client.query_session("c1")
    assert (status.error, status.stop_reason, status.result) == (False, None, None)


async def test_start_sends_both_headers_and_the_documented_fields(
    client: ChatsightClient, sim: ChatsightSimulator
) -> None:
    await client.start_session(
        url=STREAM_URL, convo_id="c1", webhook="http://127.0.0.1:1/hook", seed="pizza night"
    )
    await client.start_session(url=STREAM_URL, convo_id="c2", webhook=None)
    with_hook, without = sim.requests_to("/stream/tag")
    assert with_hook.headers["x-chatsight-api-auth"] == KEY
    assert with_hook.headers["x-chatsight-api"] == "chatsightvoice"
    assert with_hook.json() == {
        "url": STREAM_URL,
        "convoId": "c1",
        "webhook": "http://127.0.0.1:1/hook",
        "seedSentence": "pizza night",
    }
    assert without.json() == {"url": STREAM_URL, "convoId": "c2"}


async def test_an_errored_session(client: ChatsightClient, sim: ChatsightSimulator) -> None:
    await client.start_session(url=STREAM_URL, convo_id="c1", webhook=None)
    await sim.finish("c1", stop_reason="stream_unavailable")
    status = await client.query_session("c1")
    assert status.phase is SessionPhase.FINISHED
    assert (status.error, status.stop_reason, status.result) == (True, "stream_unavailable", None)


@pytest.mark.parametrize(("where", "expected"), [(None, False), ("result", True), ("top", True)])
async def test_undocumented_tags_are_read_wherever_they_appear(
    http: aiohttp.ClientSession, sleeps: Sleeps, where: Any, expected: bool
) -> None:
    async with running_simulator(api_key=KEY, auto_advance=False, undocumented_in=where) as sim:
        client = client_for(http, sim.base_url, sleeps)
        await client.start_session(
            url=f"{STREAM_URL}?tags=Fun,Violence", convo_id="c1", webhook=None
        )
        await sim.finish("c1")
        status = await client.query_session("c1")
    assert status.result == TagResult(("Fun", "Violence"), undocumented=expected)


async def test_without_state_the_phase_comes_from_running_and_result(
    http: aiohttp.ClientSession, sleeps: Sleeps
) -> None:
    async with running_simulator(api_key=KEY, auto_advance=False, include_state=False) as sim:
        client = client_for(http, sim.base_url, sleeps)
        await client.start_session(url=STREAM_URL, convo_id="c1", webhook=None)
        before = await client.query_session("c1")
        await sim.finish("c1")
        after = await client.query_session("c1")
    assert before.phase is SessionPhase.RUNNING
    assert after.phase is SessionPhase.FINISHED
    assert after.result == TagResult(("Fun", "Relaxed"))


async def test_rotate_secret(client: ChatsightClient, sim: ChatsightSimulator) -> None:
    old = sim.shared_secret
    secret = await client.rotate_secret()
    assert secret == Secret(sim.shared_secret)
    assert secret != Secret(old)
    [request] = sim.requests_to("/addons/secrets", "PATCH")
    assert request.json() == {}
    assert request.headers["x-chatsight-api-auth"] == KEY
