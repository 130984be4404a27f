"""The key never leaks, and answers the simulator does not produce are read tolerantly."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from hypothesis import given
from hypothesis import strategies as st

from bot.chatsight.client import ChatsightClient
from bot.chatsight.wire import SessionPhase, parse_query_answer
from bot.errors import (
    ChatsightAuthError,
    ChatsightError,
    ChatsightProtocolError,
    ChatsightRateLimited,
    ChatsightRejected,
    ChatsightUnavailable,
    ChatsightUnknownSession,
)
from tests.chatsight_client.conftest import KEY, Sleeps, client_for
from tests.chatsight_simulator.harness import STREAM_URL, running_simulator

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
