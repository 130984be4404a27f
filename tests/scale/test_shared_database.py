"""Several cores on one PostgreSQL database, as `serve-webhooks` and `run` processes share it.

A receiver-only core and a delivery-only core meet only in the database: a result the one
accepts wakes the other's delivery (ChangeFeed), a secret rotated anywhere reaches every
receiver, and a database that goes away is answered with 503, never with a 200 it did not commit,
and recovered from without a restart. The outage is a cut in a loopback proxy of the test's own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest

from bench.processes import wait_healthy
from bot.app.core import TaggingCore
from bot.config import Settings
from bot.domain.clock import now_ms
from bot.domain.records import Origin, SessionSource, SessionState, TagRequest
from bot.webhook.store_health import WRITE_CHECK_EVERY_S
from standins.chatsight import ChatsightSimulator
from standins.loopback import free_port
from tests.core_harness import CollectingSink, core_settings
from tests.loopback_proxy import LoopbackProxy
from tests.postgres import server_url, throwaway_database

STREAM = "https://streams.example/live?tags=Fun,Relaxed"
# The delivery worker otherwise looks for due rows every 30 s (ResultDelivery's max_idle_s), so
# a result that arrives within these waits came by the change feed.
WITHIN_S = 5.0


@pytest.fixture
async def sim() -> AsyncIterator[ChatsightSimulator]:
    async with ChatsightSimulator(auto_advance=False) as simulator:
        yield simulator


@pytest.fixture
async def database_url() -> AsyncIterator[str]:
    async with throwaway_database() as url:
        yield url


Build = Callable[..., Settings]


@pytest.fixture
def settings_for(sim: ChatsightSimulator, database_url: str, tmp_path: Path) -> Build:
    receiver_port = free_port()

    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {"database_url": database_url, "database_pool_size": 4}
        values.update(overrides)
        return core_settings(sim, tmp_path / "unused.db", receiver_port, **values)

    return build


def request(convo: str) -> TagRequest:
    return TagRequest(convo, STREAM, SessionSource.SLASH, Origin(1, 2, 3))


async def test_a_result_accepted_by_one_process_is_delivered_by_another(
    sim: ChatsightSimulator, settings_for: Build
) -> None:
    sink = CollectingSink()
    receiver = TaggingCore(settings_for(), serve_webhooks=True, monitor_interval_s=None)
    deliverer = TaggingCore(
        settings_for(webhook_port=free_port()), serve_webhooks=False, monitor_interval_s=None
    )
    await receiver.start({})
    await deliverer.start({"result": sink})
    try:
        await deliverer.service.start(request("c1"))
        await sim.finish("c1")
        [attempt] = await sim.wait_for_webhooks(1)
        assert attempt.status == 200
        [session] = await sink.wait_for(1, within_s=WITHIN_S)
        assert session.state is SessionState.COMPLETED
        assert session.result is not None and session.result.tags == ("Fun", "Relaxed")
    finally:
        await deliverer.stop()
        await receiver.stop()


async def test_a_secret_rotated_by_one_process_reaches_every_receiver(
    sim: ChatsightSimulator, settings_for: Build
) -> None:
    """The webhook goes to the second receiver, signed with the secret the first one rotated."""
    receiver = TaggingCore(settings_for(), serve_webhooks=True, monitor_interval_s=None)
    rotator = TaggingCore(
        settings_for(webhook_port=free_port()), serve_webhooks=False, monitor_interval_s=None
    )
    await receiver.start({})
    await rotator.start({"result": CollectingSink()})
    try:
        await rotator.service.start(request("c1"))
        await rotator.rotate_secret()  # the simulator signs with the new secret from now on
        async with asyncio.timeout(WITHIN_S):
            while len(receiver.ring.keys_at(now_ms())) < 2:  # the new one, the old in grace
                await asyncio.sleep(0.02)
        await sim.finish("c1")
        [attempt] = await sim.wait_for_webhooks(1)
        assert attempt.status == 200
    finally:
        await rotator.stop()
        await receiver.stop()


async def test_a_rotation_the_database_could_not_show_yet_is_taken_up_once_it_can(
    sim: ChatsightSimulator,
    settings_for: Build,
    database_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The change feed connects again (a failover) and the receiver asks for the secrets while
    the database still cannot answer (here the table is locked longer than a statement may
    wait): it asks again until it can, with a warning and no traceback, so a webhook signed with
    the rotated secret is accepted."""
    receiver = TaggingCore(
        settings_for(database_statement_timeout_seconds=0.3),
        serve_webhooks=True,
        monitor_interval_s=None,
    )
    await receiver.start({})
    admin = await asyncpg.connect(database_url)
    try:
        with caplog.at_level(logging.WARNING):
            async with admin.transaction():
                await admin.execute("LOCK TABLE shared_secrets IN ACCESS EXCLUSIVE MODE")
                await admin.execute(
                    "INSERT INTO shared_secrets (secret, created_at) VALUES ($1, $2)",
                    "rotated-while-locked",
                    now_ms(),
                )
                await end_connections(database_url, application="chatsight-bot changes")
                async with asyncio.timeout(WITHIN_S):
                    while not any(
                        "reload-secrets stopped: the database is unavailable" in r.getMessage()
                        for r in caplog.records
                    ):
                        await asyncio.sleep(0.02)
                assert len(receiver.ring.keys_at(now_ms())) == 1
            async with asyncio.timeout(WITHIN_S):
                while len(receiver.ring.keys_at(now_ms())) < 2:
                    await asyncio.sleep(0.02)
        assert not [r for r in caplog.records if r.exc_info is not None]
    finally:
        await admin.close()
        await receiver.stop()


async def test_an_outage_is_answered_503_and_recovered_from_without_a_restart(
    sim: ChatsightSimulator, settings_for: Build, database_url: str
) -> None:
    proxy = await LoopbackProxy.before(database_url).start()
    sink = CollectingSink()
    settings = settings_for(
        database_url=proxy.url_through(database_url),
        database_statement_timeout_seconds=2.0,
        poll_after_seconds=0.2,
    )
    core = TaggingCore(settings, serve_webhooks=True, monitor_interval_s=0.05)
    await core.start({"result": sink})
    health = f"http://127.0.0.1:{settings.webhook_port}/healthz"
    try:
        await core.service.start(request("c1"))
        await proxy.cut()
        async with aiohttp.ClientSession() as http:
            async with http.get(health) as answer:
                assert answer.status == 503
            await sim.finish("c1")
            [attempt] = await sim.wait_for_webhooks(1)
            assert attempt.status == 503  # never 200 without a commit
            proxy.restore()
            # Nothing restarts: the pool reconnects, the monitor's loop comes back by itself
            # and its poll recovers the result Chatsight could not hand over.
            [session] = await sink.wait_for(1, within_s=20.0)
            assert (session.convo_id, session.state) == ("c1", SessionState.COMPLETED)
        # The refused webhook said "unwritable"; the receiver's own write check clears it.
        await wait_healthy(settings.webhook_port, 3 * WRITE_CHECK_EVERY_S)
        await asyncio.sleep(0.2)
        assert len(sink.delivered) == 1
    finally:
        await core.stop()
        await proxy.close()


async def test_connections_the_database_ends_are_replaced_without_a_restart(
    sim: ChatsightSimulator, settings_for: Build, database_url: str
) -> None:
    """A restart or a failover of PostgreSQL ends every connection under the running processes:
    the pools and the change feed connect again by themselves, the webhook that meets a dead
    connection is stored or answered 503 (never 500), and each result is shown once."""
    sink = CollectingSink()
    quick_poll = {"poll_after_seconds": 0.2}
    receiver = TaggingCore(settings_for(**quick_poll), serve_webhooks=True, monitor_interval_s=None)
    deliverer = TaggingCore(
        settings_for(webhook_port=free_port(), **quick_poll),
        serve_webhooks=False,
        monitor_interval_s=0.05,
    )
    await receiver.start({})
    await deliverer.start({"result": sink})
    try:
        for number, convo in enumerate(("c1", "c2"), 1):
            await deliverer.service.start(request(convo))
            await end_connections(database_url)
            await sim.finish(convo)
            attempt = (await sim.wait_for_webhooks(number))[-1]
            assert attempt.status in (200, 503)
            delivered = await sink.wait_for(number, within_s=WITHIN_S)
            assert [s.convo_id for s in delivered] == ["c1", "c2"][:number]
        await asyncio.sleep(0.3)
        assert len(sink.delivered) == 2
    finally:
        await deliverer.stop()
        await receiver.stop()


async def end_connections(database_url: str, application: str | None = None) -> None:
    """What a restart of the server does to every client of the database (or to those of one
    ``application_name``)."""
    database = database_url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(server_url())
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = $1 AND pid <> pg_backend_pid()"
            " AND ($2::text IS NULL OR application_name = $2)",
            database,
            application,
        )
    finally:
        await admin.close()
