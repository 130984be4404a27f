"""What only the PostgreSQL backend has: several processes on one database, its bounded pool and
statements, its recovery from an unreachable server, and its change feed across processes.

Two ``PostgresStore`` instances on one database stand for two bot processes sharing it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator, Callable

import asyncpg
import pytest

from bot.config import Settings
from bot.domain.records import Completion, CompletionOutcome, SessionState
from bot.domain.refusals import ServerBusy, TooManyAlertTags
from bot.domain.tags import TagResult
from bot.server.guild_config import MAX_ALERT_TAGS, GuildConfig
from bot.store import open_store
from bot.store.base import StoreUnavailable
from bot.store.interface import ChangeTopic
from bot.store.postgres import PostgresStore
from bot.store.postgres.migrations import available_migrations
from bot.store.sqlite import SQLiteStore
from tests import postgres
from tests.loopback_proxy import LoopbackProxy
from tests.store.tag_requests import request

NOTIFIED_WITHIN_S = 1.0


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    async with postgres.throwaway_database() as url:
        yield url


@contextlib.asynccontextmanager
async def opened(
    url: str, *, pool_size: int = 10, statement_timeout_s: float = 10.0
) -> AsyncIterator[PostgresStore]:
    store = PostgresStore(url, pool_size=pool_size, statement_timeout_s=statement_timeout_s)
    await store.open()
    try:
        yield store
    finally:
        await store.close()


class Heard:
    """The topics a listener heard, and a way to wait for the next one."""

    def __init__(self) -> None:
        self.topics: list[str] = []
        self._changed = asyncio.Event()

    def __call__(self, topic: str) -> None:
        self.topics.append(topic)
        self._changed.set()

    async def until(self, done: Callable[[list[str]], bool], within_s: float) -> None:
        async with asyncio.timeout(within_s):
            while not done(self.topics):
                self._changed.clear()
                await self._changed.wait()

    async def every_topic(self, within_s: float = 5.0) -> None:
        """Waits for the catch-up a listener makes when it (re)connects, then forgets it."""
        await self.until(lambda topics: set(ChangeTopic) <= set(topics), within_s)
        self.topics.clear()


@contextlib.asynccontextmanager
async def listening(store: PostgresStore) -> AsyncIterator[Heard]:
    heard = Heard()
    task = asyncio.create_task(store.listen(heard))
    try:
        await heard.every_topic()
        yield heard
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def test_the_database_url_picks_the_backend() -> None:
    for url in ("postgresql://postgres@127.0.0.1/x", "postgres://postgres@127.0.0.1/x"):
        assert isinstance(open_store(Settings(database_url=url)), PostgresStore)
    assert isinstance(open_store(Settings(database_url="sqlite:///x.db")), SQLiteStore)


# -- several processes on one database --------------------------------------------------------


async def test_processes_starting_at_once_migrate_the_database_once(postgres_url: str) -> None:
    stores = [PostgresStore(postgres_url) for _ in range(4)]
    await asyncio.gather(*(store.open() for store in stores))
    try:
        rows = await stores[0]._fetch("SELECT version FROM schema_version ORDER BY version")
        assert [row[0] for row in rows] == [version for version, _ in available_migrations()]
        await stores[1].add_shared_secret("s", 1)
        assert await stores[2].shared_secrets() == [("s", 1)]
    finally:
        await asyncio.gather(*(store.close() for store in stores))


async def test_concurrent_calls_run_side_by_side_on_the_pool(postgres_url: str) -> None:
    async with opened(postgres_url) as store:
        loop = asyncio.get_running_loop()
        started = loop.time()
        pids = await asyncio.gather(
            *(store._fetch_int("SELECT pg_backend_pid() FROM pg_sleep(0.3)") for _ in range(8))
        )
        assert loop.time() - started < 1.5  # one after another would take 2.4 s
        assert len(set(pids)) > 1


async def test_two_processes_share_the_work_and_the_cap(postgres_url: str) -> None:
    async with opened(postgres_url) as one, opened(postgres_url) as other:
        for index in range(20):
            await one.create_session(request(f"c{index}"), None)
            await one.complete(Completion(f"c{index}", SessionState.COMPLETED, TagResult(())))
        batches = await asyncio.gather(
            *(
                store.claim_due_deliveries(["result"], 10**13, 60_000, 3)
                for store in (one, other) * 5
            )
        )
        claimed = [delivery.id for batch in batches for delivery in batch]
        assert len(claimed) == len(set(claimed)) == 20
        rules = {"now_ms": 1, "cooldown_ms": 0, "guild_cap": 5, "hold_ms": 60_000}
        admitted = await asyncio.gather(
            *(
                store.admit(member, 2, f"h{member}", **rules)
                for member, store in enumerate((one, other) * 10)
            )
        )
        assert admitted.count(None) == 5
        assert all(isinstance(refusal, ServerBusy) for refusal in admitted if refusal)


async def test_two_processes_spend_one_request_budget_between_them(postgres_url: str) -> None:
    """Every process's Discord requests come out of one schedule, so together they keep to the
    bot's global limit: slots taken side by side from two stores never fall closer than the
    interval, and a hold (a global 429) seen by one holds the other too."""
    interval = 60_000  # far longer than the test, so no slot starts over from "now"
    async with opened(postgres_url) as one, opened(postgres_url) as other:
        slots = await asyncio.gather(
            *(store.reserve_request_slot(interval) for store in (one, other) * 5)
        )
        times = sorted(slot.at_ms for slot in slots)
        assert [later - earlier for earlier, later in itertools.pairwise(times)] == [interval] * 9
        await one.reserve_request_slot(interval, hold_ms=100 * interval)
        held = await other.reserve_request_slot(interval)
        assert held.wait_ms >= 100 * interval


async def test_a_slot_reserved_behind_the_row_lock_still_leaves_an_interval(
    postgres_url: str,
) -> None:
    """A reservation that waited for the row lock (a burst of posts, another process) answers a
    wait counted from when it got the lock, not from when it asked: otherwise its request goes
    that much late, in the same moment as the next one (two requests where Discord allows one)."""
    interval_ms, locked_s = 50, 0.3
    async with opened(postgres_url) as store:
        loop = asyncio.get_running_loop()
        await store.reserve_request_slot(interval_ms)
        other = await asyncpg.connect(postgres_url)
        try:
            async with other.transaction():
                await other.execute("SELECT * FROM request_slots FOR UPDATE")
                behind = asyncio.ensure_future(store.reserve_request_slot(interval_ms))
                await asyncio.sleep(locked_s)
        finally:
            await other.close()
        late = await behind
        late_goes = loop.time() + late.wait_ms / 1000
        after = await store.reserve_request_slot(interval_ms)
        after_goes = loop.time() + after.wait_ms / 1000
        assert after_goes - late_goes >= (interval_ms - 15) / 1000


# -- bounds -----------------------------------------------------------------------------------


async def sleep_on(
    store: PostgresStore, *, client_waits_s: float | None, server_bound: bool
) -> None:
    """Five seconds of ``pg_sleep`` on one of the store's connections; ``client_waits_s``
    replaces the client's bound, and ``server_bound=False`` lifts the server's."""
    async with store._connection() as db:
        if not server_bound:
            await db.execute("SET statement_timeout = 0")
        await db.fetchval("SELECT pg_sleep(5)", timeout=client_waits_s)


async def test_every_statement_is_bounded_by_the_server_and_the_client(
    postgres_url: str,
) -> None:
    async with opened(postgres_url, statement_timeout_s=0.2) as store:
        async with store._connection() as db:
            assert await db.fetchval("SHOW statement_timeout") == "200ms"
        loop = asyncio.get_running_loop()
        started = loop.time()
        # The server ends a statement that runs too long, however long its client would wait.
        with pytest.raises(StoreUnavailable) as by_server:
            await sleep_on(store, client_waits_s=5, server_bound=True)
        assert isinstance(by_server.value.__cause__, asyncpg.exceptions.QueryCanceledError)
        # The client stops waiting on a server that does not answer in time.
        with pytest.raises(StoreUnavailable) as by_client:
            await sleep_on(store, client_waits_s=None, server_bound=False)
        assert isinstance(by_client.value.__cause__, TimeoutError)
        assert loop.time() - started < 2.0
        # Each connection goes back to the pool as it came: bounded, and usable.
        async with store._connection() as db:
            assert await db.fetchval("SHOW statement_timeout") == "200ms"
        assert await store.healthy()


async def test_the_pool_never_holds_more_than_pool_size(postgres_url: str) -> None:
    async with opened(postgres_url, pool_size=2, statement_timeout_s=0.3) as store:
        async with contextlib.AsyncExitStack() as held:
            for _ in range(2):
                await held.enter_async_context(store._connection())
            # No free connection within a statement's bound: unavailable, not an endless queue.
            with pytest.raises(StoreUnavailable):
                await store.get_session("c1")
        pids = await asyncio.gather(
            *(store._fetch_int("SELECT pg_backend_pid() FROM pg_sleep(0.02)") for _ in range(10))
        )
        assert len(set(pids)) == 2


async def test_an_unreachable_database_is_unavailable_until_it_returns(
    postgres_url: str,
) -> None:
    relay = LoopbackProxy.before(postgres.server_url())
    async with relay, opened(relay.url_through(postgres_url), statement_timeout_s=1.0) as store:
        await store.create_session(request("c1"), None)
        await relay.cut()
        assert not await store.healthy()
        result = Completion("c1", SessionState.COMPLETED, TagResult(("Fun",)))
        with pytest.raises(StoreUnavailable):
            await store.complete(result)  # a webhook gets 503 and is sent again
        with pytest.raises(StoreUnavailable):
            await PostgresStore(relay.url_through(postgres_url), statement_timeout_s=1.0).open()
        relay.restore()
        assert await store.healthy()
        assert await store.complete(result) is CompletionOutcome.COMPLETED


async def test_a_database_turned_read_only_refuses_results_as_unavailable(
    postgres_url: str,
) -> None:
    """A standby the address points at after a failover: the pool reconnects to it, reads work,
    and writes are refused as the database's state (a webhook gets 503 and ``/healthz`` says
    unwritable), not as a bug in the statement."""
    database = postgres_url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(postgres.server_url())

    async def reconnect(store: PostgresStore, read_only: bool) -> None:
        setting = "SET default_transaction_read_only = on" if read_only else "RESET ALL"
        await admin.execute(f'ALTER DATABASE "{database}" {setting}')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", database
        )
        # The pool's one connection was cut: the first call fails on it, the next reconnects.
        while not await store.healthy():
            await asyncio.sleep(0.05)

    result = Completion("c1", SessionState.COMPLETED, TagResult(("Fun",)))
    try:
        async with opened(postgres_url, pool_size=1) as store:
            await store.create_session(request("c1"), None)
            async with asyncio.timeout(10):
                await reconnect(store, read_only=True)
            assert not await store.writable()
            with pytest.raises(StoreUnavailable, match="read-only"):
                await PostgresStore(postgres_url).open()  # a process starting now: its migration
            with pytest.raises(StoreUnavailable):
                await store.complete(result)
            async with asyncio.timeout(10):
                await reconnect(store, read_only=False)
            assert await store.writable()
            assert await store.complete(result) is CompletionOutcome.COMPLETED
    finally:
        await admin.close()


async def test_a_connection_the_server_ended_fails_one_call_as_unavailable(
    postgres_url: str,
) -> None:
    """A restart or a failover ends the pool's connections under it. The call that meets one
    fails as the database's state (a webhook answered 503, not 500 with a traceback), whichever
    way asyncpg reports it, and the pool connects again for the next call."""
    database = postgres_url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(postgres.server_url())
    result = Completion("c1", SessionState.COMPLETED, TagResult(("Fun",)))
    unavailable = 0
    try:
        async with opened(postgres_url, pool_size=2) as store:
            await store.create_session(request("c1"), None)
            for _ in range(40):
                await admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
                    database,
                )
                for call in (store.writable, lambda: store.complete(result), store.healthy):
                    try:
                        await call()
                    except StoreUnavailable:
                        unavailable += 1
            assert await store.writable()
            assert await store.complete(result) is CompletionOutcome.DUPLICATE
    finally:
        await admin.close()
    assert unavailable > 0  # the connections were ended under it


# -- the change feed --------------------------------------------------------------------------


async def test_another_process_hears_each_committed_change_within_a_second(
    postgres_url: str,
) -> None:
    async with (
        opened(postgres_url) as writer,
        opened(postgres_url) as reader,
        listening(reader) as heard,
    ):

        async def hears(topic: ChangeTopic) -> None:
            await heard.until(lambda topics: topic in topics, NOTIFIED_WITHIN_S)
            heard.topics.clear()

        await writer.add_shared_secret("s", 1)
        await hears(ChangeTopic.SECRETS)
        await writer.create_session(request("c1"), None)
        await writer.complete(Completion("c1", SessionState.COMPLETED, TagResult(())))
        await hears(ChangeTopic.OUTBOX)
        await GuildConfig(writer).set_seed(1, "chess")
        await hears(ChangeTopic.SETTINGS)
        await writer.set_autotag_channel(1, 100, True, 0)
        await hears(ChangeTopic.SETTINGS)


async def test_writes_that_change_nothing_announce_nothing(postgres_url: str) -> None:
    async with (
        opened(postgres_url) as writer,
        opened(postgres_url) as reader,
        listening(reader) as heard,
    ):
        config = GuildConfig(writer)
        await config.change_alert_tags(
            1, ", ".join(f"T{i}" for i in range(MAX_ALERT_TAGS)), add=True
        )
        await writer.set_autotag_channel(1, 100, True, 0)
        await heard.until(lambda topics: len(topics) == 2, NOTIFIED_WITHIN_S)
        with pytest.raises(TooManyAlertTags):
            await config.change_alert_tags(1, "One too many", add=True)  # rolled back
        assert not await writer.set_autotag_channel(1, 100, True, 1)  # watched already
        await writer.create_session(request("c1"), None)
        await writer.complete(Completion("c1", SessionState.FAILED, error="no", notify=False))
        await writer.add_shared_secret("last", 2)  # announced after all of the above
        await heard.until(lambda topics: ChangeTopic.SECRETS in topics, NOTIFIED_WITHIN_S)
        assert heard.topics == [ChangeTopic.SETTINGS] * 2 + [ChangeTopic.SECRETS]


async def test_a_listener_reconnects_and_catches_up_after_losing_the_server(
    postgres_url: str,
) -> None:
    relay = LoopbackProxy.before(postgres.server_url())
    async with (
        relay,
        opened(postgres_url) as writer,
        opened(relay.url_through(postgres_url)) as reader,
        listening(reader) as heard,
    ):
        await relay.cut()
        await writer.add_shared_secret("missed", 1)  # nobody hears this one
        await asyncio.sleep(0.5)  # a few refused reconnections
        relay.restore()
        # Reconnection waits at most two seconds; then every topic is reported again.
        await heard.every_topic(within_s=4.0)
        await writer.add_shared_secret("heard", 2)
        await heard.until(lambda topics: ChangeTopic.SECRETS in topics, NOTIFIED_WITHIN_S)
