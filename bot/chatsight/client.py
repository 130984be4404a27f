"""The Chatsight API client: start a tagging session, query it, rotate the webhook secret.

Chatsight is a beta API with undocumented status codes and partly undocumented shapes
(docs/chatsight-api.md §1, §5, §12). So the client retries only what is safe to retry, reads
answers tolerantly, and turns every failure into a typed error whose message a Discord user can
read. The API key travels only in a request header: it is never put into a message or a log line.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp

from bot.chatsight.wire import (
    SessionStatus,
    error_text,
    json_or_none,
    parse_query_answer,
    says_failure,
    unwrap,
)
from bot.config import Secret
from bot.domain.clock import now_ms
from bot.errors import (
    ChatsightAuthError,
    ChatsightProtocolError,
    ChatsightRateLimited,
    ChatsightRejected,
    ChatsightUnavailable,
    ChatsightUnknownSession,
)
from bot.observability import metrics

log = logging.getLogger(__name__)

_VOICE_HEADERS = {"x-chatsight-api": "chatsightvoice"}
_MAX_ERROR_TEXT = 160


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    body: Any  # parsed JSON, or None when the body is empty or not JSON


class ChatsightClient:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        *,
        base_url: str,
        api_key: Secret,
        timeout: float = 15.0,
        max_attempts: int = 4,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        max_retry_after: float = 60.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        """``sleep`` and ``rng`` are injectable so tests can observe backoff without waiting."""
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._max_retry_after = max_retry_after
        self._sleep = sleep
        self._rng = rng or random.Random()

    async def start_session(
        self, *, url: str, convo_id: str, webhook: str | None, seed: str | None = None
    ) -> None:
        """Any 2xx counts as accepted unless the body says otherwise
        (docs/chatsight-api.md §12.5)."""
        body: dict[str, str] = {"url": url, "convoId": convo_id}
        if webhook is not None:
            body["webhook"] = webhook
        if seed:
            body["seedSentence"] = seed
        answer = await self._request("POST", "/stream/tag", json_body=body, voice=True)
        if says_failure(answer.body):
            raise self._rejected(answer)

    async def query_session(self, convo_id: str) -> SessionStatus:
        answer = await self._request(
            "GET", "/stream", params={"convoid": convo_id}, voice=True, unknown_on_404=convo_id
        )
        return parse_query_answer(convo_id, answer.body)

    async def rotate_secret(self) -> Secret:
        """Chatsight invalidates the old secret as soon as this succeeds
        (docs/chatsight-api.md §4)."""
        answer = await self._request("PATCH", "/addons/secrets", json_body={}, voice=False)
        ok, response = unwrap(answer.body)
        if not ok:
            raise self._rejected(answer)
        secret = response.get("sharedSecret") if isinstance(response, Mapping) else None
        if not isinstance(secret, str) or not secret:
            raise ChatsightProtocolError("Chatsight's answer carried no new shared secret")
        return Secret(secret)

    async def _request(
        self,
        method: str,
        path: str,
        *,
        voice: bool,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        unknown_on_404: str | None = None,
    ) -> _Answer:
        """One call with retries on network errors, timeouts, 5xx and 429; never on other 4xx."""
        headers = {"x-chatsight-api-auth": self._api_key.reveal()}
        if voice:
            headers.update(_VOICE_HEADERS)
        url = self._base_url + path
        endpoint = f"{method} {path}"
        for attempt in range(1, self._max_attempts + 1):
            last = attempt == self._max_attempts
            started = time.monotonic()
            try:
                async with self._http.request(
                    method,
                    url,
                    headers=headers,
                    params=params,
                    json=json_body,
                    timeout=self._timeout,
                ) as response:
                    raw = await response.read()
                    answer = _Answer(response.status, json_or_none(raw))
                    retry_after = response.headers.get("Retry-After")
                _counted(endpoint, str(response.status), started)
            except (aiohttp.ClientError, TimeoutError) as error:
                timed_out = isinstance(error, TimeoutError)
                _counted(endpoint, "timeout" if timed_out else "unreachable", started)
                if last:
                    what = "timed out" if timed_out else "is unreachable"
                    raise ChatsightUnavailable(
                        f"Chatsight {what}; try again in a few minutes"
                    ) from error
                await self._back_off(method, path, attempt, type(error).__name__)
                continue
            if answer.status == 429:
                wait = _retry_after_seconds(retry_after)
                if last or (wait is not None and wait > self._max_retry_after):
                    raise ChatsightRateLimited(wait if wait is not None else self._backoff_cap)
                await self._back_off(method, path, attempt, "HTTP 429", wait)
                continue
            if answer.status >= 500:
                if last:
                    raise ChatsightUnavailable(
                        f"Chatsight is having trouble (HTTP {answer.status}); "
                        "try again in a few minutes"
                    )
                await self._back_off(method, path, attempt, f"HTTP {answer.status}")
                continue
            if answer.status in (401, 403):
                raise ChatsightAuthError()
            if answer.status == 404 and unknown_on_404 is not None:
                raise ChatsightUnknownSession(unknown_on_404)
            if answer.status >= 400:
                raise self._rejected(answer)
            return answer
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _back_off(
        self, method: str, path: str, attempt: int, reason: str, wait: float | None = None
    ) -> None:
        delay = wait if wait is not None else self._backoff(attempt)
        log.warning(
            "Chatsight %s %s failed (%s), attempt %d of %d; retrying in %.2f s",
            method,
            path,
            reason,
            attempt,
            self._max_attempts,
            delay,
        )
        await self._sleep(delay)

    def _backoff(self, attempt: int) -> float:
        """Exponential with "equal jitter": never zero, and spread so retries do not align."""
        ceiling = min(self._backoff_cap, self._backoff_base * 2.0 ** (attempt - 1))
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def _rejected(self, answer: _Answer) -> ChatsightRejected:
        text = error_text(answer.body)
        if text:
            text = text.replace(self._api_key.reveal(), "********")[:_MAX_ERROR_TEXT]
            return ChatsightRejected(f"Chatsight refused the request: {text}")
        return ChatsightRejected(f"Chatsight refused the request (HTTP {answer.status})")


def _retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a Retry-After header, given as seconds or as an HTTP date."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - now_ms() / 1000
        except (TypeError, ValueError):
            return None
    return max(0.0, seconds) if math.isfinite(seconds) else None


def _counted(endpoint: str, status: str, started: float) -> None:
    metrics.CHATSIGHT_CALLS.labels(endpoint, status).inc()
    metrics.CHATSIGHT_LATENCY.labels(endpoint).observe(time.monotonic() - started)
