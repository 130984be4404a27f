"""What is retried, how long the client waits, and when it gives up."""

from __future__ import annotations

import socket

import aiohttp
import pytest

from bot.chatsight.client import ChatsightClient
from bot.chatsight.wire import SessionPhase
from bot.errors import (
    ChatsightAuthError,
    ChatsightRateLimited,
    ChatsightRejected,
    ChatsightUnavailable,
    ChatsightUnknownSession,
)
from standins.chatsight import ChatsightSimulator
from tests.chatsight_client.conftest import Sleeps, client_for
from tests.chatsight_simulator.harness import STREAM_URL, running_simulator

# -- retries ---------------------------------------------------------------------------------


async def test_5xx_is_retried_with_growing_jittered_backoff(
    client: ChatsightClient, sim: ChatsightSimulator, sleeps: Sleeps
) -> None:
    sim.faults.fail_next("/stream/tag", status=503, count=3)
    await client.start_session(url=STREAM_URL, convo_id="c1", webhook=None)
    assert len(sim.requests_to("/stream/tag")) == 4
    assert "c1" in sim.sessions
    # backoff_base 0.5: attempt n waits within [0.5, 1] x 0.5 x 2^(n-1).
    for n, delay in enumerate(sleeps):
        ceiling = 0.5 * 2**n
        assert ceiling / 2 <= delay <= ceiling


async def test_backoff_is_capped(
    http: aiohttp.ClientSession, sim: ChatsightSimulator, sleeps: Sleeps
) -> None:
    client = client_for(http, sim.base_url, sleeps, max_attempts=8, backoff_cap=1.0)
    sim.faults.fail_next("/stream", count=7)
    with pytest.raises(ChatsightUnknownSession):
        await client.query_session("nobody")
    assert len(sleeps) == 7
    assert max(sleeps) <= 1.0


async def test_gives_up_after_max_attempts(
    client: ChatsightClient, sim: ChatsightSimulator, sleeps: Sleeps
) -> None:
    sim.faults.fail_next("/stream/tag", status=502, count=10)
    with pytest.raises(ChatsightUnavailable) as caught:
        await client.start_session(url=STREAM_URL, convo_id="c1", webhook=None)
    assert len(sim.requests_to("/stream/tag")) == 4
    assert len(sleeps) == 3
    assert "HTTP 502" in caught.value.user_message
    assert "try again" in caught.value.user_message


async def test_429_honours_retry_after(
    client: ChatsightClient, sim: ChatsightSimulator, sleeps: Sleeps
) -> None:
    sim.faults.rate_limit_next("/stream", retry_after=2)
    await client.start_session(url=STREAM_URL, convo_id="c1", webhook=None)
    status = await client.query_session("c1")
    assert status.phase is SessionPhase.PROVISIONING
    assert sleeps == [2.0]
    assert len(sim.requests_to("/stream")) == 2


async def test_429_beyond_the_cap_raises_at_once(
    http: aiohttp.ClientSession, sim: ChatsightSimulator, sleeps: Sleeps
) -> None:
    client = client_for(http, sim.base_url, sleeps, max_retry_after=10)
    sim.faults.rate_limit_next("/stream/tag", retry_after=30)
    with pytest.raises(ChatsightRateLimited) as caught:
        await client.start_session(url=STREAM_URL, convo_id="c1", webhook=None)
    assert caught.value.retry_after == 30
    assert caught.value.user_message == "Chatsight is rate-limiting us, retry in 30 s"
    assert sleeps == []
    assert len(sim.requests_to("/stream/tag")) == 1


async def test_429_on_every_attempt_ends_rate_limited(
    client: ChatsightClient, sim: ChatsightSimulator, sleeps: Sleeps
) -> None:
    sim.faults.rate_limit_next("/addons/secrets", retry_after=1, count=4)
    with pytest.raises(ChatsightRateLimited):
        await client.rotate_secret()
    assert sleeps == [1.0, 1.0, 1.0]


@pytest.mark.parametrize(
    ("url", "convo_id", "reason"),
    [
        ("ftp://nope", "c1", "url must be an http, https, rtmp or rtmps URL"),
        (STREAM_URL, "", "convoId must be a non-empty string"),
    ],
)
async def test_400_is_not_retried_and_shows_chatsights_text(
    client: ChatsightClient, sim: ChatsightSimulator, url: str, convo_id: str, reason: str
) -> None:
    with pytest.raises(ChatsightRejected) as caught:
        await client.start_session(url=url, convo_id=convo_id, webhook=None)
    assert caught.value.user_message == f"Chatsight refused the request: {reason}"
    assert len(sim.requests) == 1


@pytest.mark.parametrize("status", [401, 403])
async def test_auth_failures_are_not_retried(
    http: aiohttp.ClientSession, sleeps: Sleeps, status: int
) -> None:
    async with running_simulator(api_key="the-right-key", auth_failure_status=status) as sim:
        client = client_for(http, sim.base_url, sleeps)
        with pytest.raises(ChatsightAuthError) as caught:
            await client.query_session("c1")
        assert len(sim.requests) == 1
    assert caught.value.user_message == "Chatsight rejected the API key"
    assert sleeps == []


async def test_unknown_convoid(client: ChatsightClient, sim: ChatsightSimulator) -> None:
    with pytest.raises(ChatsightUnknownSession) as caught:
        await client.query_session("nobody")
    assert "nobody" in caught.value.user_message
    assert len(sim.requests) == 1


async def test_a_slow_answer_times_out_and_is_retried(
    http: aiohttp.ClientSession, sim: ChatsightSimulator, sleeps: Sleeps
) -> None:
    client = client_for(http, sim.base_url, sleeps, timeout=0.1)
    sim.faults.slow_next("/stream/tag", delay=2)
    await client.start_session(url=STREAM_URL, convo_id="c1", webhook=None)
    assert len(sim.requests_to("/stream/tag")) == 2
    assert len(sleeps) == 1


async def test_always_too_slow_is_unavailable(
    http: aiohttp.ClientSession, sim: ChatsightSimulator, sleeps: Sleeps
) -> None:
    client = client_for(http, sim.base_url, sleeps, timeout=0.05, max_attempts=2)
    sim.faults.slow_next("/stream", delay=2, count=2)
    with pytest.raises(ChatsightUnavailable) as caught:
        await client.query_session("c1")
    assert "timed out" in caught.value.user_message
    assert len(sim.requests_to("/stream")) == 2


async def test_nothing_listening_is_unavailable(
    http: aiohttp.ClientSession, sleeps: Sleeps
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = client_for(http, f"http://127.0.0.1:{port}", sleeps, max_attempts=2)
    with pytest.raises(ChatsightUnavailable, match="unreachable"):
        await client.rotate_secret()
    assert len(sleeps) == 1
