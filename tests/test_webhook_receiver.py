"""The receiver over real sockets: each rule's status, and that a refusal changes nothing."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import zlib
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from bot.domain.clock import now_ms
from bot.domain.records import DeliveryState, SessionState
from bot.store import Store, writer
from bot.webhook import store_health
from bot.webhook.receiver import JSON
from bot.webhook.signing import sign_time
from tests.receiver_harness import Harness, running_receiver, webhook_body


@pytest.fixture
async def harness(store: Store) -> AsyncIterator[Harness]:
    async with running_receiver(store) as running:
        yield running


def refused_count(reason: str) -> float:
    value = REGISTRY.get_sample_value(
        "chatsight_webhooks_total", {"outcome": "refused", "reason": reason}
    )
    return value or 0.0


async def assert_unchanged(harness: Harness, convo_id: str) -> None:
    session = await harness.store.get_session(convo_id)
    assert session is not None and session.state is SessionState.RUNNING
    assert session.result is None
    assert await harness.store.deliveries_for(convo_id) == []


async def test_genuine_delivery_is_stored_then_answered_200(harness: Harness) -> None:
    token = await harness.session("c1")
    status, text = await harness.post(token, webhook_body("c1", "Fun, Relaxed,Fun"))
    assert (status, text) == (200, "OK")
    session = await harness.store.get_session("c1")
    assert session is not None and session.state is SessionState.COMPLETED
    assert session.result is not None and session.result.tags == ("Fun", "Relaxed")
    [delivery] = await harness.store.deliveries_for("c1")
    assert delivery.state is DeliveryState.PENDING and delivery.channel_id == 7
    assert harness.wakes == [1]


async def test_an_accepted_webhook_writes_no_info_line(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """The normal case stays out of the operator's INFO log: at scale it would flood it."""
    token = await harness.session("c1")
    with caplog.at_level(logging.INFO):
        assert (await harness.post(token, webhook_body("c1", "Fun")))[0] == 200
    assert caplog.records == []
    with caplog.at_level(logging.DEBUG, logger="bot.sessions.service"):
        token = await harness.session("c2")
        assert (await harness.post(token, webhook_body("c2", "Fun")))[0] == 200
    assert "session c2 is completed" in caplog.text


async def test_repeat_delivery_is_200_and_changes_nothing(harness: Harness) -> None:
    token = await harness.session("c1")
    assert (await harness.post(token, webhook_body("c1", "Fun")))[0] == 200
    assert (await harness.post(token, webhook_body("c1", "Violence")))[0] == 200
    session = await harness.store.get_session("c1")
    assert session is not None and session.result is not None
    assert session.result.tags == ("Fun",)
    assert len(await harness.store.deliveries_for("c1")) == 1
    assert harness.wakes == [1]


@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        ("text/plain", None, 415),
        ("application/json", b"{" + b" " * (64 * 1024) + b"}", 413),
        ("application/json", b"{not json", 400),
        ("application/json", b'{"sender": "chatsight-webhooks"}', 400),
    ],
)
async def test_malformed_requests_are_refused(
    harness: Harness, content_type: str, body: bytes | None, status: int
) -> None:
    token = await harness.session("c1")
    raw = body if body is not None else webhook_body("c1")
    assert (await harness.post(token, raw, content_type))[0] == status
    await assert_unchanged(harness, "c1")


async def test_wrong_sender_is_400(harness: Harness) -> None:
    token = await harness.session("c1")
    assert (await harness.post(token, webhook_body("c1", sender="mallory")))[0] == 400
    await assert_unchanged(harness, "c1")


async def test_bad_signature_and_stale_time_are_401(harness: Harness) -> None:
    token = await harness.session("c1")
    forged = webhook_body("c1", secret="guessed")
    assert (await harness.post(token, forged))[0] == 401
    stale = webhook_body("c1", time_ms=now_ms() - 301_000)
    assert (await harness.post(token, stale))[0] == 401
    await assert_unchanged(harness, "c1")


async def test_token_must_belong_to_the_payloads_session(harness: Harness) -> None:
    token_a = await harness.session("a")
    await harness.session("b")
    assert (await harness.post(token_a, webhook_body("b")))[0] == 404
    assert (await harness.post("x" * 32, webhook_body("a")))[0] == 404
    assert (await harness.post("short", webhook_body("a")))[0] == 404
    assert (await harness.post(token_a, webhook_body("nobody")))[0] == 404
    await assert_unchanged(harness, "a")
    await assert_unchanged(harness, "b")


async def test_each_path_takes_only_its_method_and_other_paths_are_404(
    harness: Harness,
) -> None:
    token = await harness.session("c1")
    webhook = f"{harness.base_url}/webhooks/chatsight/{token}"
    async with harness.http.get(webhook) as response:
        assert (response.status, response.headers["Allow"]) == (405, "POST")
    async with harness.http.post(f"{harness.base_url}/healthz") as response:
        assert (response.status, response.headers["Allow"]) == (405, "GET,HEAD")
    async with harness.http.head(f"{harness.base_url}/healthz") as response:
        assert response.status == 200
    for path in ("/", "/webhooks/chatsight/", f"/webhooks/chatsight/{token}/x", "/healthz/"):
        async with harness.http.post(harness.base_url + path, data=webhook_body("c1")) as response:
            assert response.status == 404, path
    await assert_unchanged(harness, "c1")


async def exchange(harness: Harness, head: str, body: bytes | None) -> list[bytes]:
    """A raw HTTP/1.1 exchange: the head, then the body only once ``100 Continue`` arrived (as
    curl does), returning the status lines read."""
    reader, writer = await asyncio.open_connection("127.0.0.1", harness.port)
    try:
        writer.write(head.encode())
        statuses = [await reader.readline()]
        if body is not None and statuses[0].startswith(b"HTTP/1.1 100"):
            await reader.readline()
            writer.write(body)
            statuses.append(await reader.readline())
        return statuses
    finally:
        writer.close()


async def test_expect_100_continue_asks_for_the_body_only_when_the_headers_pass(
    harness: Harness,
) -> None:
    token = await harness.session("c1")
    body = webhook_body("c1")

    def head(content_type: str, expect: str = "100-continue") -> str:
        return (
            f"POST /webhooks/chatsight/{token} HTTP/1.1\r\nHost: x\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
            f"Expect: {expect}\r\n\r\n"
        )

    refused = await exchange(harness, head("text/plain"), body)
    assert refused == [b"HTTP/1.1 415 Unsupported Media Type\r\n"]
    assert (await exchange(harness, head(JSON, "something-else"), body))[0].startswith(
        b"HTTP/1.1 417"
    )
    await assert_unchanged(harness, "c1")
    accepted = await exchange(harness, head(JSON), body)
    assert accepted == [b"HTTP/1.1 100 Continue\r\n", b"HTTP/1.1 200 OK\r\n"]
    session = await harness.store.get_session("c1")
    assert session is not None and session.state is SessionState.COMPLETED


async def test_rotated_secret_from_the_store_is_picked_up(harness: Harness) -> None:
    token = await harness.session("c1")
    await harness.store.add_shared_secret("rotated-secret", now_ms())
    status, _ = await harness.post(token, webhook_body("c1", secret="rotated-secret"))
    assert status == 200


async def test_health_reports_the_store(harness: Harness) -> None:
    async with harness.http.get(f"{harness.base_url}/healthz") as response:
        assert response.status == 200
        instance = await harness.store.deployment_id()
        assert await response.json() == {"receiver": "ok", "store": "ok", "instance": instance}
    await harness.store.close()
    async with harness.http.get(f"{harness.base_url}/healthz") as response:
        assert response.status == 503
        assert await response.json() == {"receiver": "ok", "store": "down"}
    await harness.store.open()


async def test_rejections_are_logged_without_secrets(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    token = await harness.session("c1")
    forged = webhook_body("c1", hmac=sign_time("receiver-test-secret", "1"))
    with caplog.at_level(logging.WARNING, logger="bot.webhook.receiver"):
        assert (await harness.post(token, forged))[0] == 401
    assert "webhook refused (401)" in caplog.text
    assert token not in caplog.text
    assert "receiver-test-secret" not in caplog.text


async def test_a_flood_of_refusals_is_logged_once_and_counted_every_time(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """The URL is public: junk at any rate must not become log lines at that rate."""
    token = await harness.session("c1")
    forged = webhook_body("c1", hmac=sign_time("receiver-test-secret", "1"))
    before = refused_count("signature")
    with caplog.at_level(logging.WARNING, logger="bot.webhook.receiver"):
        statuses = await asyncio.gather(*(harness.post(token, forged) for _ in range(40)))
    assert [status for status, _ in statuses] == [401] * 40
    assert caplog.text.count("webhook refused (401)") == 1
    assert refused_count("signature") - before == 40
    await assert_unchanged(harness, "c1")


async def test_a_result_the_store_cannot_take_is_503_logged_and_taken_later(
    harness: Harness,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Another process holding the write lock past the wait: not 200, not a traceback."""
    monkeypatch.setattr(writer, "LOCK_WAIT_MS", 100)
    token = await harness.session("c1")
    body = webhook_body("c1")
    with closing(sqlite3.connect(tmp_path / "store.db", isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        with caplog.at_level(logging.ERROR, logger="bot.webhook.receiver"):
            status, text = await harness.post(token, body)
        other.execute("ROLLBACK")
    assert (status, text) == (503, "result not stored; try again later")
    assert "webhook not stored (503): database: database is locked" in caplog.text
    assert token not in caplog.text
    await assert_unchanged(harness, "c1")
    assert (await harness.post(token, body))[0] == 200


async def test_health_is_503_while_results_cannot_be_stored_and_ok_once_they_can(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reads still work then, so only a write tells: the load balancer must stop sending here,
    and send again once writes work, without a webhook having to succeed first."""
    monkeypatch.setattr(writer, "LOCK_WAIT_MS", 100)
    monkeypatch.setattr(store_health, "WRITE_CHECK_EVERY_S", 0.2)
    token = await harness.session("c1")
    health = f"{harness.base_url}/healthz"
    with closing(sqlite3.connect(tmp_path / "store.db", isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        assert (await harness.post(token, webhook_body("c1")))[0] == 503
        async with harness.http.get(health) as response:
            assert response.status == 503
            assert await response.json() == {"receiver": "ok", "store": "unwritable"}
        await asyncio.sleep(0.25)
        async with harness.http.get(health) as response:  # its own write check fails too
            assert response.status == 503
        other.execute("ROLLBACK")
    # Within the interval the last check's answer stands: checks are no write load.
    async with harness.http.get(health) as response:
        assert response.status == 503
    await asyncio.sleep(0.25)
    async with harness.http.get(health) as response:
        assert response.status == 200
        assert (await response.json())["store"] == "ok"
    assert (await harness.post(token, webhook_body("c1")))[0] == 200


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_a_body_that_does_not_decompress_is_400_and_a_compressed_one_is_taken(
    harness: Harness, encoding: str, caplog: pytest.LogCaptureFixture
) -> None:
    token = await harness.session("c1")
    url = f"{harness.base_url}/webhooks/chatsight/{token}"
    headers = {"Content-Type": JSON, "Content-Encoding": encoding}
    async with harness.http.post(url, data=webhook_body("c1"), headers=headers) as response:
        assert (response.status, await response.text()) == (400, "body could not be decoded")
    assert "Traceback" not in caplog.text
    await assert_unchanged(harness, "c1")
    compress = zlib.compressobj(wbits=31 if encoding == "gzip" else 15)
    packed = compress.compress(webhook_body("c1")) + compress.flush()
    async with harness.http.post(url, data=packed, headers=headers) as response:
        assert response.status == 200
    assert (await harness.store.deliveries_for("c1"))[0].state is DeliveryState.PENDING


async def test_control_characters_never_reach_the_database(backend_store: Store) -> None:
    """PostgreSQL's text cannot hold a NUL: a convoId with one is no session of ours (400), and
    tags lose theirs, as no tag name is meant to show one."""
    async with running_receiver(backend_store) as harness:
        token = await harness.session("c1")
        assert (await harness.post(token, webhook_body("c1\x00")))[0] == 400
        assert (await harness.post(token, webhook_body("c1\n")))[0] == 400
        await assert_unchanged(harness, "c1")
        assert (await harness.post(token, webhook_body("c1", "Fu\x00n,\x07Relaxed\x1b")))[0] == 200
        session = await backend_store.get_session("c1")
        assert session is not None and session.result is not None
        assert session.result.tags == ("Fun", "Relaxed")
