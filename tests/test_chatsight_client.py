"""The real Chatsight client against the real simulator over loopback.

Backoff sleeps go through an injected recorder, so retries are observable and take no time; the
timeout tests use a short real timeout against a simulator that answers too slowly.
"""

from __future__ import annotations

import json
import logging
import random
import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from hypothesis import given
from hypothesis import strategies as st

from bot.chatsight.client import ChatsightClient, SessionPhase, SessionStatus, parse_query_answer
from bot.config import Secret
from bot.domain.tags import TagResult
from bot.errors import (
    ChatsightAuthError,
    ChatsightError,
    ChatsightProtocolError,
    ChatsightRateLimited,
    ChatsightRejected,
    ChatsightUnavailable,
    ChatsightUnknownSession,
)
from standins.chatsight import ChatsightSimulator
from tests.chatsight_simulator.harness import STREAM_URL, running_simulator

KEY = "csk-live-SENTINEL-9f2b7c"


class Sleeps(list[float]):
    """Stands in for asyncio.sleep: records each backoff instead of waiting it out."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def sim() -> AsyncIterator[ChatsightSimulator]:
    async with running_simulator(api_key=KEY, auto_advance=False) as simulator:
        yield simulator


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def client_for(
    http: aiohttp.ClientSession, base_url: str, sleeps: Sleeps, **settings: Any
) -> ChatsightClient:
    return ChatsightClient(
        http,
        base_url=base_url,
        api_key=Secret(settings.pop("key", KEY)),
        sleep=sleeps,
        rng=random.Random(7),
        **settings,
    )


@pytest.fixture
def client(http: aiohttp.ClientSession, sim: ChatsightSimulator, sleeps: Sleeps) -> ChatsightClient:
    return client_for(http, sim.base_url, sleeps)


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


# -- the key never leaks ---------------------------------------------------------------------


async def _every_failure(http: aiohttp.ClientSession, sleeps: Sleeps) -> list[ChatsightError]:
    caught: list[ChatsightError] = []

    async def collect(client: ChatsightClient, call: str) -> None:
        try:
            if call == "start":
                await client.start_session(url="ftp://x", convo_id="c1", webhook=None)
            elif call == "query":
                await client.query_session("c1")
            else:
                await client.rotate_secret()
        except ChatsightError as error:
            caught.append(error)

    async with running_simulator(api_key=KEY) as sim:
        client = client_for(http, sim.base_url, sleeps, max_attempts=2, timeout=0.05)
        await collect(client, "start")  # 400
        await collect(client, "query")  # unknown
        sim.faults.fail_next("/stream", count=2)
        await collect(client, "query")  # 5xx
        sim.faults.rate_limit_next("/addons/secrets", retry_after=999)
        await collect(client, "rotate")  # 429
        sim.faults.slow_next("/stream", delay=2, count=2)
        await collect(client, "query")  # timeout
        await collect(client_for(http, sim.base_url, sleeps, key=KEY + "x"), "query")  # 401
    await collect(client_for(http, "http://127.0.0.1:9", sleeps, max_attempts=1), "query")
    return caught


async def test_the_api_key_is_in_no_error_and_no_log_line(
    http: aiohttp.ClientSession, sleeps: Sleeps, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    errors = await _every_failure(http, sleeps)
    kinds = {type(e) for e in errors}
    assert kinds >= {
        ChatsightRejected,
        ChatsightUnknownSession,
        ChatsightUnavailable,
        ChatsightRateLimited,
        ChatsightAuthError,
    }
    for error in errors:
        for text in (str(error), repr(error), error.user_message, str(error.__cause__)):
            assert KEY not in text
    assert KEY not in caplog.text


# -- shapes the simulator does not produce ---------------------------------------------------


class OddUpstream:
    """A Chatsight that answers whatever a test sets, for shapes outside the simulator's."""

    def __init__(self) -> None:
        self.status = 200
        self.body = ""
        self.headers: dict[str, str] = {}
        self.hits = 0

    async def handle(self, request: web.Request) -> web.Response:
        self.hits += 1
        return web.Response(
            status=self.status,
            text=self.body,
            headers=self.headers,
            content_type="application/json",
        )


@pytest.fixture
async def odd() -> AsyncIterator[tuple[OddUpstream, str]]:
    upstream = OddUpstream()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", upstream.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield upstream, f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[false, null, {"message": "quota exceeded"}]',
            "Chatsight refused the request: quota exceeded",
        ),
        (
            '{"api": "chatsight-lang-text", "success": false, "error": {"message": "no"}}',
            "Chatsight refused the request: no",
        ),
        ('{"success": false, "error": {}}', "Chatsight refused the request (HTTP 200)"),
        (f'[false, null, "bad key {KEY}"]', "Chatsight refused the request: bad key ********"),
    ],
)
async def test_a_2xx_that_says_failure_is_a_rejection(
    http: aiohttp.ClientSession,
    sleeps: Sleeps,
    odd: tuple[OddUpstream, str],
    body: str,
    message: str,
) -> None:
    upstream, base = odd
    upstream.body = body
    with pytest.raises(ChatsightRejected) as caught:
        await client_for(http, base, sleeps).start_session(
            url=STREAM_URL, convo_id="c", webhook=None
        )
    assert caught.value.user_message == message


@pytest.mark.parametrize("body", ["", "accepted", "[true]", '{"ok": 1}'])
async def test_any_other_2xx_starts_the_session(
    http: aiohttp.ClientSession, sleeps: Sleeps, odd: tuple[OddUpstream, str], body: str
) -> None:
    upstream, base = odd
    upstream.body = body
    await client_for(http, base, sleeps).start_session(url=STREAM_URL, convo_id="c", webhook=None)


@pytest.mark.parametrize(
    ("status_object", "phase", "tags"),
    [
        ({"running": "false", "result": {"tags": "A, B"}}, SessionPhase.FINISHED, ("A", "B")),
        ({"state": "transcribing", "running": True}, SessionPhase.RUNNING, None),
        ({"state": "FINISHED", "result": {"tags": ["A", "B"]}}, SessionPhase.FINISHED, ("A", "B")),
        ({"result": {"tags": "A,A, ,B"}}, SessionPhase.FINISHED, ("A", "B")),
        ({"error": True, "metadata": {"stopReason": ""}}, SessionPhase.FINISHED, None),
    ],
)
async def test_status_shapes_are_read_tolerantly(
    http: aiohttp.ClientSession,
    sleeps: Sleeps,
    odd: tuple[OddUpstream, str],
    status_object: dict[str, Any],
    phase: SessionPhase,
    tags: tuple[str, ...] | None,
) -> None:
    upstream, base = odd
    upstream.body = json.dumps([True, {"convoId": "c", **status_object}, None])
    status = await client_for(http, base, sleeps).query_session("c")
    assert status.phase is phase
    assert (status.result.tags if status.result else None) == tags
    assert status.stop_reason is None


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("<html>oops</html>", ChatsightProtocolError),
        ('[true, "finished", null]', ChatsightProtocolError),
        ('[true, {"convoId": "c"}, null]', ChatsightProtocolError),
        ('[true, {"result": {"tags": 5}}, null]', ChatsightProtocolError),
        ("[false, null, null]", ChatsightUnknownSession),
    ],
)
async def test_unreadable_status_answers_are_typed_errors(
    http: aiohttp.ClientSession,
    sleeps: Sleeps,
    odd: tuple[OddUpstream, str],
    body: str,
    error: type[ChatsightError],
) -> None:
    upstream, base = odd
    upstream.body = body
    with pytest.raises(error):
        await client_for(http, base, sleeps).query_session("c")


async def test_rotation_without_a_secret_is_a_protocol_error(
    http: aiohttp.ClientSession, sleeps: Sleeps, odd: tuple[OddUpstream, str]
) -> None:
    upstream, base = odd
    upstream.body = '{"api": "chatsight-lang-text", "success": true, "response": {}}'
    with pytest.raises(ChatsightProtocolError):
        await client_for(http, base, sleeps).rotate_secret()


@pytest.mark.parametrize(
    ("retry_after", "slept"),
    [("Wed, 21 Oct 2015 07:28:00 GMT", 0.0), ("soon", None), ("nan", None)],
)
async def test_retry_after_as_a_date_or_garbage(
    http: aiohttp.ClientSession,
    sleeps: Sleeps,
    odd: tuple[OddUpstream, str],
    retry_after: str,
    slept: float | None,
) -> None:
    upstream, base = odd
    upstream.status, upstream.headers = 429, {"Retry-After": retry_after}
    with pytest.raises(ChatsightRateLimited):
        await client_for(http, base, sleeps, max_attempts=2).rotate_secret()
    assert upstream.hits == 2
    if slept is not None:
        assert sleeps == [slept]
    else:
        assert 0.25 <= sleeps[0] <= 0.5  # no usable Retry-After: our own backoff


async def test_other_4xx_is_not_retried(
    http: aiohttp.ClientSession, sleeps: Sleeps, odd: tuple[OddUpstream, str]
) -> None:
    upstream, base = odd
    upstream.status, upstream.body = 409, "not json"
    with pytest.raises(ChatsightRejected, match=r"\(HTTP 409\)"):
        await client_for(http, base, sleeps).start_session(
            url=STREAM_URL, convo_id="c", webhook=None
        )
    assert upstream.hits == 1


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
_keys = st.sampled_from(["state", "running", "error", "result", "metadata", "tags", "stopReason"])
_statusish = st.dictionaries(_keys, _json | st.dictionaries(_keys, _json, max_size=3), max_size=5)


@given(body=_json | st.tuples(st.booleans(), _statusish | _json, _json).map(list))
def test_no_query_answer_crashes_the_parser(body: Any) -> None:
    try:
        status = parse_query_answer("c", body)
    except ChatsightError:
        return
    assert isinstance(status.phase, SessionPhase)
    assert status.result is None or status.phase is SessionPhase.FINISHED
