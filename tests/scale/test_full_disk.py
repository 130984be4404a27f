"""A disk that fills up under a running `serve-webhooks` on SQLite, and space coming back.

The disk is the process's file size limit (RLIMIT_FSIZE), lowered from outside while it runs
and raised again: past it a write that would grow a file fails as on a full disk (EFBIG; Python
ignores SIGXFSZ), while the rest of the machine is untouched. Every webhook must be answered
200 only if its result is in the database, 503 otherwise (Chatsight's delivery is not retried:
the poll recovers those, docs/chatsight-api.md §12), the process must live through it, and once
there is room again it must store results without a restart. Meanwhile ``/healthz`` must say
the store cannot take results, and say it can once it can.
"""

from __future__ import annotations

import asyncio
import resource
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bench.processes import BotProcess, receiver_env, wait_healthy
from bot.domain.records import SessionState
from bot.store.sqlite import SQLiteStore
from bot.webhook.store_health import WRITE_CHECK_EVERY_S
from standins.loopback import free_port
from tests.receiver_harness import awaiting_session, webhook_body

SECRET = "full-disk-test-secret"
SESSIONS = 400
WAVE = 8  # webhooks sent at once, so batches of several meet the full disk too
ROOM = 48 * 1024  # what is left on the disk when it is filling: a few commits' worth


class Receiver:
    def __init__(self, process: BotProcess, database: Path, tokens: dict[str, str]) -> None:
        self.process = process
        self.database = database
        self.tokens = tokens
        self.url = f"http://127.0.0.1:{process.env['WEBHOOK_PORT']}/webhooks/chatsight"

    @property
    def pid(self) -> int:
        assert self.process.process is not None
        return self.process.process.pid

    async def deliver(self, http: aiohttp.ClientSession, convo_ids: list[str]) -> list[int]:
        async def one(convo_id: str) -> int:
            async with http.post(
                f"{self.url}/{self.tokens[convo_id]}",
                data=webhook_body(convo_id, secret=SECRET),
                headers={"Content-Type": "application/json"},
            ) as answer:
                return answer.status

        return list(await asyncio.gather(*(one(convo_id) for convo_id in convo_ids)))

    async def health(self, http: aiohttp.ClientSession) -> tuple[int, dict[str, str]]:
        url = f"http://127.0.0.1:{self.process.env['WEBHOOK_PORT']}/healthz"
        async with http.get(url) as answer:
            return answer.status, await answer.json()

    def limit_file_size(self, size: int) -> None:
        resource.prlimit(self.pid, resource.RLIMIT_FSIZE, (size, resource.RLIM_INFINITY))

    def largest_file(self) -> int:
        paths = (self.database, self.database.with_name(self.database.name + "-wal"))
        return max(path.stat().st_size for path in paths if path.exists())


@pytest.fixture
async def receiver(tmp_path: Path) -> AsyncIterator[Receiver]:
    database = tmp_path / "bot.db"
    store = SQLiteStore(database)
    await store.open()
    tokens = {}
    try:
        for index in range(SESSIONS):
            convo_id = f"disk-{index:04d}"
            tokens[convo_id] = await awaiting_session(store, convo_id)
    finally:
        await store.close()
    port = free_port()
    env = receiver_env(f"sqlite:///{database}", SECRET, port)
    process = BotProcess("receiver", "serve-webhooks", env, tmp_path)
    await process.start()
    try:
        await wait_healthy(port)
        yield Receiver(process, database, tokens)
    except BaseException:
        print(process.tail())
        raise
    finally:
        code = await process.stop()
    assert code == 0, process.tail()


async def states(database: Path, convo_ids: list[str]) -> dict[str, SessionState]:
    store = SQLiteStore(database, exclusive=False)
    await store.open()
    try:
        found = {}
        for convo_id in convo_ids:
            record = await store.get_session(convo_id)
            assert record is not None
            found[convo_id] = record.state
        return found
    finally:
        await store.close()


async def test_a_full_disk_is_answered_503_and_room_again_is_used_without_a_restart(
    receiver: Receiver,
) -> None:
    waiting = sorted(receiver.tokens)
    answers: dict[str, int] = {}
    async with aiohttp.ClientSession() as http:
        first, waiting = waiting[:WAVE], waiting[WAVE:]
        assert await receiver.deliver(http, first) == [200] * WAVE
        answers.update(dict.fromkeys(first, 200))

        receiver.limit_file_size(receiver.largest_file() + ROOM)
        while waiting and 503 not in answers.values():
            wave, waiting = waiting[:WAVE], waiting[WAVE:]
            answers.update(zip(wave, await receiver.deliver(http, wave), strict=True))
        assert set(answers.values()) == {200, 503}, "the disk never filled up"
        assert len(answers) > 2 * WAVE  # it filled up with commits of its own
        refused = [convo_id for convo_id, status in answers.items() if status == 503]
        stored = await states(receiver.database, list(answers))
        completed = {
            convo_id for convo_id, state in stored.items() if state is SessionState.COMPLETED
        }
        assert completed == {convo_id for convo_id, status in answers.items() if status == 200}
        # Still full: refused again, however often it is tried.
        assert await receiver.deliver(http, refused[:WAVE]) == [503] * len(refused[:WAVE])
        assert receiver.process.process is not None
        assert receiver.process.process.returncode is None
        # Reads still work, but the load balancer must hear that results are not stored here.
        assert await receiver.health(http) == (503, {"receiver": "ok", "store": "unwritable"})

        receiver.limit_file_size(resource.RLIM_INFINITY)
        # Healthy again by its own write check, before any webhook has come to prove it.
        await wait_healthy(int(receiver.process.env["WEBHOOK_PORT"]), 3 * WRITE_CHECK_EVERY_S)
        assert await receiver.deliver(http, refused) == [200] * len(refused)
        assert await receiver.deliver(http, waiting[:WAVE]) == [200] * len(waiting[:WAVE])

    after = await states(receiver.database, [*answers, *waiting[:WAVE]])
    assert set(after.values()) == {SessionState.COMPLETED}
    log = receiver.process.log_path.read_text()
    assert "webhook not stored (503): database:" in log
    assert SECRET not in log
