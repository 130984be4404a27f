"""The whole core round trip against the Chatsight simulator: start, webhook, store, deliver."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from bot.config import Secret, Settings
from bot.domain.records import DeliveryState, Origin, SessionSource, SessionState, TagRequest
from bot.domain.stream_refusals import StreamNotLive
from bot.errors import ChatsightAuthError
from bot.language.catalogue import ENGLISH_WORDS
from bot.rendering.refusals import refusal_text
from bot.store import writer
from bot.store.base import StoreUnavailable
from standins.chatsight import ChatsightSimulator
from standins.loopback import free_port
from tests.core_harness import CollectingSink, core_settings, running_core
from tests.stream_site import Channel, stream_site

STREAM = "https://streams.example/live?tags=Fun,Relaxed"


@pytest.fixture
async def sim() -> AsyncIterator[ChatsightSimulator]:
    async with ChatsightSimulator(auto_advance=False) as simulator:
        yield simulator


SettingsFor = Callable[..., Settings]


@pytest.fixture
def settings_for(sim: ChatsightSimulator, tmp_path: Path) -> SettingsFor:
    """Settings for a core on a port it keeps across restarts, with per-test overrides."""
    port = free_port()

    def build(**overrides: Any) -> Settings:
        return core_settings(sim, tmp_path / "db.sqlite", port, **overrides)

    return build


def request(convo: str, url: str = STREAM) -> TagRequest:
    return TagRequest(convo, url, SessionSource.SLASH, Origin(1, 2, 3))


async def test_webhook_result_is_delivered_exactly_once(
    sim: ChatsightSimulator, settings_for: SettingsFor
) -> None:
    sink = CollectingSink()
    settings = settings_for()
    async with running_core(settings, {"result": sink}) as core:
        started = await core.service.start(request("c1"))
        assert started.state is SessionState.RUNNING
        [sent] = sim.requests_to("/stream/tag")
        assert sent.json()["webhook"].startswith(f"{settings.public_base_url}/webhooks/chatsight/")
        sim.faults.duplicate_next_webhook()
        await sim.finish("c1")
        [session] = await sink.wait_for(1)
        assert session.state is SessionState.COMPLETED
        assert session.result is not None
        assert session.result.tags == ("Fun", "Relaxed")
        await asyncio.sleep(0.1)
        assert len(sink.delivered) == 1
        assert [a.status for a in sim.webhook_attempts] == [200, 200]
        [row] = await core.store.deliveries_for("c1")
        assert row.state is DeliveryState.DELIVERED


async def test_rejected_api_key_fails_the_session_with_a_readable_reason(
    sim: ChatsightSimulator, settings_for: SettingsFor
) -> None:
    settings = settings_for(chatsight_api_key=Secret("wrong"))
    async with running_core(settings, {"result": CollectingSink()}) as core:
        with pytest.raises(ChatsightAuthError, match="Chatsight rejected the API key"):
            await core.service.start(request("c1"))
        session = await core.store.get_session("c1")
        assert session is not None
        assert session.state is SessionState.FAILED
        assert session.error == "Chatsight rejected the API key"
        assert await core.store.deliveries_for("c1") == []


async def test_a_page_with_no_stream_fails_the_session_without_asking_chatsight(
    sim: ChatsightSimulator, settings_for: SettingsFor
) -> None:
    async with (
        stream_site(alice=Channel(live=False)) as site,
        running_core(settings_for(), {"result": CollectingSink()}) as core,
    ):
        with pytest.raises(StreamNotLive):
            await core.service.start(request("c1", site.page("alice")))
        session = await core.store.get_session("c1")
        assert session is not None
        assert session.state is SessionState.FAILED
        assert session.error == refusal_text(StreamNotLive("127.0.0.1"), words=ENGLISH_WORDS)
        assert session.stream_url == site.page("alice")
        assert await core.store.deliveries_for("c1") == []  # whoever asked is told by the caller
        assert sim.requests_to("/stream/tag") == []


@pytest.mark.parametrize(
    "timing",
    [
        {"poll_after_seconds": 0.2},
        # Its result lost only after the last poll: one more look before it expires finds it,
        # rather than telling the member Chatsight never answered.
        {"poll_after_seconds": 0.3, "expire_after_seconds": 0.2},
    ],
    ids=["polled", "polled-just-before-it-expires"],
)
async def test_lost_webhook_is_recovered_by_polling(
    sim: ChatsightSimulator, settings_for: SettingsFor, timing: dict[str, float]
) -> None:
    sink = CollectingSink()
    settings = settings_for(**timing)
    async with running_core(settings, {"result": sink}) as core:
        await core.service.start(request("c1"))
        sim.faults.drop_next_webhook()
        await sim.finish("c1")
        [session] = await sink.wait_for(1)
        assert session.state is SessionState.COMPLETED
        assert session.result is not None
        assert session.result.tags == ("Fun", "Relaxed")
        assert sim.dropped_webhooks == ["c1"]
        assert sim.requests_to("/stream", "GET")


async def test_errored_session_fails_through_the_same_path(
    sim: ChatsightSimulator, settings_for: SettingsFor
) -> None:
    sink = CollectingSink()
    settings = settings_for(poll_after_seconds=0.1)
    async with running_core(settings, {"result": sink}) as core:
        await core.service.start(request("c1"))
        await sim.finish("c1", stop_reason="out_of_memory")
        [session] = await sink.wait_for(1)
        assert session.state is SessionState.FAILED
        assert session.error == "Chatsight stopped the session: out_of_memory"


async def test_session_that_never_finishes_expires(
    sim: ChatsightSimulator, settings_for: SettingsFor, caplog: pytest.LogCaptureFixture
) -> None:
    sink = CollectingSink()
    settings = settings_for(poll_after_seconds=0.05, expire_after_seconds=0.3)
    async with running_core(settings, {"result": sink}) as core:
        with caplog.at_level(logging.INFO, logger="bot.sessions.service"):
            await core.service.start(request("c1"))
            [session] = await sink.wait_for(1)
        assert session.state is SessionState.EXPIRED
        assert session.error is not None
        assert "no result from Chatsight" in session.error
        assert "session c1 is expired" in caplog.text  # unlike a result, worth a look


async def test_a_finished_status_without_its_result_is_no_result(
    sim: ChatsightSimulator, settings_for: SettingsFor
) -> None:
    """Chatsight's docs warn that a result may not come back. A status that says finished, but
    neither errored nor carries the result, is not shown as "no tags": the session waits for the
    result (a webhook or a later poll may bring it) and expires as having none."""
    sink = CollectingSink()
    settings = settings_for(poll_after_seconds=0.05, expire_after_seconds=0.5)
    async with running_core(settings, {"result": sink}) as core:
        sim.faults.lose_next_result("c1")
        await core.service.start(request("c1"))
        await sim.finish("c1")
        [session] = await sink.wait_for(1)
        assert sim.requests_to("/stream", "GET")
        assert session.state is SessionState.EXPIRED
        assert session.error is not None and "no result from Chatsight" in session.error


async def test_forged_and_stale_webhooks_change_nothing(
    sim: ChatsightSimulator, settings_for: SettingsFor
) -> None:
    sink = CollectingSink()
    settings = settings_for()
    async with running_core(settings, {"result": sink}) as core:
        for convo in ("forged", "stale"):
            await core.service.start(request(convo))
        sim.faults.bad_signature_next_webhook()
        await sim.finish("forged")
        sim.faults.stale_next_webhook(age_seconds=600)
        await sim.finish("stale")
        assert [a.status for a in sim.webhook_attempts] == [401, 401]
        for convo in ("forged", "stale"):
            session = await core.store.get_session(convo)
            assert session is not None
            assert session.state is SessionState.RUNNING
        assert sink.delivered == []


async def test_rotated_secret_verifies_the_next_webhook(
    sim: ChatsightSimulator, settings_for: SettingsFor
) -> None:
    sink = CollectingSink()
    settings = settings_for()
    async with running_core(settings, {"result": sink}) as core:
        old = sim.shared_secret
        await core.rotate_secret()
        assert sim.shared_secret != old
        stored = [secret for secret, _ in await core.store.shared_secrets()]
        assert stored == [sim.shared_secret]
        await core.service.start(request("c1"))
        await sim.finish("c1")
        await sink.wait_for(1)
        assert sim.webhook_attempts[-1].status == 200


async def test_restart_between_start_and_webhook_delivers_once(
    sim: ChatsightSimulator, settings_for: SettingsFor
) -> None:
    sink = CollectingSink()
    settings = settings_for()
    async with running_core(settings, {"result": sink}) as core:
        await core.service.start(request("c1"))
    # The bot is down: Chatsight's one-shot webhook fails, as it would in production.
    sim.faults.drop_next_webhook()
    await sim.finish("c1")
    restarted = settings_for(poll_after_seconds=0.05)
    async with running_core(restarted, {"result": sink}):
        [session] = await sink.wait_for(1)
        assert session.convo_id == "c1"
        assert session.state is SessionState.COMPLETED
        await asyncio.sleep(0.2)
        assert len(sink.delivered) == 1


async def test_webhook_after_restart_reaches_the_new_process(
    sim: ChatsightSimulator, settings_for: SettingsFor
) -> None:
    sink = CollectingSink()
    settings = settings_for()
    async with running_core(settings, {"result": sink}) as core:
        await core.service.start(request("c1"))
    async with running_core(settings, {"result": sink}):
        await sim.finish("c1")
        [session] = await sink.wait_for(1)
        assert session.state is SessionState.COMPLETED
        assert sim.webhook_attempts[-1].status == 200


async def test_while_chatsight_is_away_a_round_stops_polling_at_the_first_failure(
    sim: ChatsightSimulator, settings_for: SettingsFor
) -> None:
    """Each poll would spend the client's retries on an answer that will not come, and a round
    of many would outlast the lease that keeps other processes from polling them too."""
    settings = settings_for(poll_after_seconds=0.2)
    async with running_core(settings, {"result": CollectingSink()}) as core:
        for convo in ("c1", "c2", "c3"):
            await core.service.start(request(convo))
        sim.faults.fail_next("/stream", status=503, count=100)
        async with asyncio.timeout(10):  # the first poll's every attempt, and then some
            while len(sim.requests_to("/stream", "GET")) < 5:
                await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        polled = {r.query["convoid"] for r in sim.requests_to("/stream", "GET")}
        assert polled == {"c1"}


async def test_a_secret_the_database_cannot_keep_is_not_rotated(
    sim: ChatsightSimulator, settings_for: SettingsFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chatsight drops the old secret the moment it rotates: had the database not taken the new
    one, every webhook would fail verification until someone rotated again."""
    monkeypatch.setattr(writer, "LOCK_WAIT_MS", 100)
    settings = settings_for()
    async with running_core(settings, {"result": CollectingSink()}) as core:
        old = sim.shared_secret
        database = settings.database_url.removeprefix("sqlite:///")
        with closing(sqlite3.connect(database)) as other:
            other.isolation_level = None
            other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
            with pytest.raises(StoreUnavailable, match="the secret was not rotated"):
                await core.rotate_secret()
            other.execute("ROLLBACK")
        assert sim.shared_secret == old
        assert sim.requests_to("/addons/secrets") == []
        await core.rotate_secret()
        assert sim.shared_secret != old
