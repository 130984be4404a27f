"""Property: no body, however malformed, makes the receiver answer 500 or change a session.

The receiver runs in its own thread and loop, so hypothesis can drive it synchronously over a
real socket.
"""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import Settings
from bot.domain.records import SessionState
from bot.store import open_store
from tests.receiver_harness import running_receiver

REFUSALS = {400, 401, 404, 413, 415}


class ThreadedReceiver:
    def __init__(self, db: Path) -> None:
        self._db = db
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self.url = ""
        self.final_state: SessionState | None = None
        self._thread = threading.Thread(target=self._loop.run_until_complete, args=(self._main(),))

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        store = open_store(Settings(database_url=f"sqlite:///{self._db}"))
        await store.open()
        try:
            async with running_receiver(store) as harness:
                token = await harness.session("fuzz")
                self.url = f"{harness.base_url}/webhooks/chatsight/{token}"
                self._ready.set()
                await self._stop.wait()
            session = await store.get_session("fuzz")
            self.final_state = session.state if session else None
        finally:
            await store.close()

    def __enter__(self) -> ThreadedReceiver:
        self._thread.start()
        assert self._ready.wait(10), "receiver did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)
        self._loop.close()

    def post(self, body: bytes) -> int:
        request = urllib.request.Request(
            self.url, data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)


@pytest.fixture(scope="module")
def receiver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedReceiver]:
    with ThreadedReceiver(tmp_path_factory.mktemp("fuzz") / "fuzz.db") as running:
        yield running
    assert running.final_state is SessionState.RUNNING, "a fuzzed body changed the session"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
anything = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30))
near_valid = st.fixed_dictionaries(
    {
        "sender": st.sampled_from(["chatsight-webhooks", "other"]) | anything,
        "payload": st.fixed_dictionaries(
            {
                "tags": st.text(max_size=40) | anything,
                "convoId": st.sampled_from(["fuzz", "other"]) | anything,
                "undocumentedTags": st.booleans() | anything,
            },
            optional={"time": anything, "hmac": anything},
        )
        | anything,
    },
    optional={"time": anything, "hmac": anything, "addon": anything},
)


def encode(value: Any) -> bytes:
    return json.dumps(value).encode()


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.binary(max_size=300) | json_values.map(encode) | near_valid.map(encode))
def test_fuzzed_bodies_are_refused_never_500(receiver: ThreadedReceiver, body: bytes) -> None:
    assert receiver.post(body) in REFUSALS
