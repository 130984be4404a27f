"""The one-shot signed webhook Chatsight POSTs when a session completes
(docs/chatsight-api.md §3.1, §4).

Every attempt is recorded with its outcome so a test can assert on what the receiver saw and said,
and waiting for deliveries is event-driven so tests never sleep-poll.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from standins.chatsight.faults import WebhookFault

log = logging.getLogger(__name__)

LOOPBACK_HOSTS: frozenset[str] = frozenset({"127.0.0.1", "localhost", "::1"})


def sign_time(secret: str, time_text: str) -> str:
    """``base64(HMAC-SHA256(key=utf8(secret), msg=utf8(time)))`` (docs/chatsight-api.md §4).

    Written with the standard library, apart from the bot's own (faster) signer, so a mistake in
    either shows up as a rejected delivery instead of being shared by both.
    """
    digest = hmac.new(secret.encode(), time_text.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def signed_delivery(
    secret: str, convo_id: str, tags: str, undocumented: bool, time_ms: int
) -> dict[str, Any]:
    """The one-shot webhook body as documented (docs/chatsight-api.md §3.1), signed as §4 says.

    Shared with the benchmarks and the receiver's tests, which post deliveries of their own.
    """
    return {
        "sender": "chatsight-webhooks",
        "addon": "ssiQuery",
        "payload": {"tags": tags, "undocumentedTags": undocumented, "convoId": convo_id},
        "time": time_ms,
        "hmac": sign_time(secret, str(time_ms)),
    }


@dataclass(frozen=True, slots=True)
class WebhookAttempt:
    convo_id: str
    url: str
    body: dict[str, Any]
    status: int | None = None
    error: str | None = None
    response_text: str = ""

    @property
    def delivered(self) -> bool:
        """Chatsight counts only exactly ``200 OK`` as delivered (docs/chatsight-api.md §3.1)."""
        return self.status == 200


class WebhookSender:
    def __init__(
        self,
        secret: Callable[[], str],
        *,
        retries: int = 0,
        retry_delay: float = 0.1,
        timeout: float = 5.0,
        allowed_hosts: Collection[str] | None = LOOPBACK_HOSTS,
        clock: Callable[[], int] = now_ms,
    ) -> None:
        """``allowed_hosts`` keeps a test that registers a made-up public URL from ever
        opening a socket to it; ``None`` lifts the restriction."""
        self._secret = secret
        self._retries = retries
        self._retry_delay = retry_delay
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._allowed_hosts = allowed_hosts
        self._clock = clock
        self._http: aiohttp.ClientSession | None = None
        self._changed = asyncio.Condition()
        self.attempts: list[WebhookAttempt] = []
        self.dropped: list[str] = []

    async def start(self) -> None:
        self._http = aiohttp.ClientSession(timeout=self._timeout)

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    def body(
        self, convo_id: str, tags: tuple[str, ...], undocumented: bool, fault: WebhookFault
    ) -> dict[str, Any]:
        time_ms = self._clock() - int(fault.stale_seconds * 1000)
        secret = self._secret()
        key = "not-" + secret if fault.bad_signature else secret
        # The webhook example joins tags with no space ("Fun,Relaxed"), unlike the query.
        return signed_delivery(key, convo_id, ",".join(tags), undocumented, time_ms)

    async def send(
        self,
        convo_id: str,
        url: str,
        tags: tuple[str, ...],
        undocumented: bool,
        fault: WebhookFault,
    ) -> None:
        if fault.copies == 0:
            self.dropped.append(convo_id)
            return
        body = self.body(convo_id, tags, undocumented, fault)
        for _ in range(fault.copies):
            for attempt in range(self._retries + 1):
                if attempt:
                    await asyncio.sleep(self._retry_delay)
                if await self._attempt(convo_id, url, body):
                    break

    async def _attempt(self, convo_id: str, url: str, body: dict[str, Any]) -> bool:
        host = urlsplit(url).hostname or ""
        if self._allowed_hosts is not None and host not in self._allowed_hosts:
            record = WebhookAttempt(convo_id, url, body, error=f"host {host!r} is not allowed")
        else:
            record = await self._post(convo_id, url, body)
        log.info("webhook for %s to %s: %s", convo_id, url, record.status or record.error)
        async with self._changed:
            self.attempts.append(record)
            self._changed.notify_all()
        return record.delivered

    async def _post(self, convo_id: str, url: str, body: dict[str, Any]) -> WebhookAttempt:
        assert self._http is not None, "start() first"
        try:
            async with self._http.post(url, json=body) as response:
                text = await response.text(errors="replace")
                return WebhookAttempt(convo_id, url, body, response.status, None, text[:2000])
        except (aiohttp.ClientError, TimeoutError) as error:
            return WebhookAttempt(convo_id, url, body, error=f"{type(error).__name__}: {error}")

    async def wait_for(self, count: int, seconds: float) -> list[WebhookAttempt]:
        """Returns once ``count`` attempts were made; raises TimeoutError otherwise."""
        async with asyncio.timeout(seconds), self._changed:
            await self._changed.wait_for(lambda: len(self.attempts) >= count)
        return list(self.attempts)
