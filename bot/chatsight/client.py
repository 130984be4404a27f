"""The Chatsight API client: start a tagging session, query it, rotate the webhook secret.

Chatsight is a beta API with undocumented status codes and partly undocumented shapes
(docs/chatsight-api.md §1, §5, §12). So the client retries only what is safe to retry, reads
answers tolerantly, and turns every failure into a typed error whose message a Discord user can
read. The API key travels only in a request header: it is never put into a message or a log line.
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
import math
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp

from bot.config import Secret
from bot.domain.clock import now_ms
from bot.domain.tags import TagResult
from bot.errors import (
    ChatsightAuthError,
    ChatsightProtocolError,
    ChatsightRateLimited,
    ChatsightRejected,
    ChatsightUnavailable,
    ChatsightUnknownSession,
)

log = logging.getLogger(__name__)

_VOICE_HEADERS = {"x-chatsight-api": "chatsightvoice"}
_MAX_ERROR_TEXT = 160


class SessionPhase(enum.StrEnum):
    PROVISIONING = "provisioning"
    RUNNING = "running"
    FINISHED = "finished"


_PHASES = frozenset(phase.value for phase in SessionPhase)


@dataclass(frozen=True, slots=True)
class SessionStatus:
    convo_id: str
    phase: SessionPhase
    error: bool
    stop_reason: str | None
    result: TagResult | None


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
        if _says_failure(answer.body):
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
        ok, response = _unwrap(answer.body)
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
        for attempt in range(1, self._max_attempts + 1):
            last = attempt == self._max_attempts
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
                    answer = _Answer(response.status, _json_or_none(raw))
                    retry_after = response.headers.get("Retry-After")
            except (aiohttp.ClientError, TimeoutError) as error:
                timed_out = isinstance(error, TimeoutError)
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
        text = _error_text(answer.body)
        if text:
            text = text.replace(self._api_key.reveal(), "********")[:_MAX_ERROR_TEXT]
            return ChatsightRejected(f"Chatsight refused the request: {text}")
        return ChatsightRejected(f"Chatsight refused the request (HTTP {answer.status})")


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _unwrap(body: Any) -> tuple[bool, Any]:
    """(success, payload) from either documented style: the ``[ok, status, error]`` triplet or
    the ``{"success": …, "response": …}`` envelope (docs/chatsight-api.md §1). Anything else is
    taken as a bare payload, since the tagging answers are only partly documented."""
    if isinstance(body, list) and body and isinstance(body[0], bool):
        return body[0], body[1] if len(body) > 1 else None
    if isinstance(body, Mapping) and isinstance(body.get("success"), bool):
        return body["success"], body.get("response")
    return True, body


def _says_failure(body: Any) -> bool:
    return not _unwrap(body)[0]


def _error_text(body: Any) -> str | None:
    """Chatsight's own words, from the triplet's third element or the envelope's ``error``."""
    if isinstance(body, list) and len(body) > 2:
        candidate: Any = body[2]
    elif isinstance(body, Mapping):
        candidate = body.get("error")
    else:
        return None
    if isinstance(candidate, Mapping):
        candidate = candidate.get("message") or candidate.get("error")
    if isinstance(candidate, str) and candidate.strip():
        return " ".join(candidate.split())
    return None


def parse_query_answer(convo_id: str, body: Any) -> SessionStatus:
    """Reads a ``GET /stream`` body of any shape: a status, or a ChatsightError, never a crash."""
    ok, status = _unwrap(body)
    if not ok:
        # Any refusal of a query is read as "not yours or not there" (docs/chatsight-api.md §12.6).
        raise ChatsightUnknownSession(convo_id)
    if not isinstance(status, Mapping):
        raise ChatsightProtocolError("Chatsight answered a status query in an unknown form")
    return _parse_status(convo_id, status)


def _parse_status(convo_id: str, status: Mapping[str, Any]) -> SessionStatus:
    error = _truthy(status.get("error"))
    phase = _phase(status, error)
    metadata = status.get("metadata")
    stop_reason = metadata.get("stopReason") if isinstance(metadata, Mapping) else None
    result = None
    raw_result = status.get("result")
    if phase is SessionPhase.FINISHED and isinstance(raw_result, Mapping):
        undocumented = raw_result.get("undocumentedTags", status.get("undocumentedTags"))
        result = TagResult.from_raw(_tags_text(raw_result.get("tags")), _truthy(undocumented))
    return SessionStatus(
        convo_id=convo_id,
        phase=phase,
        error=error,
        stop_reason=stop_reason if isinstance(stop_reason, str) and stop_reason else None,
        result=result,
    )


def _phase(status: Mapping[str, Any], error: bool) -> SessionPhase:
    """``state`` when it names a known phase; else ``running``, a ``result`` or an ``error``
    (docs/chatsight-api.md §12.5-12.7). The moderation docs type ``running`` as a string, so
    accept that too."""
    state = status.get("state")
    if isinstance(state, str) and state.lower() in _PHASES:
        return SessionPhase(state.lower())
    running = status.get("running")
    if running is not None and not _truthy(running):
        return SessionPhase.FINISHED
    if "result" in status or error:
        return SessionPhase.FINISHED
    if running is not None or isinstance(state, str):
        return SessionPhase.RUNNING
    raise ChatsightProtocolError("Chatsight's status did not say whether the session finished")


def _tags_text(raw: Any) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, list):
        return ",".join(t for t in raw if isinstance(t, str))
    if raw is None:
        return ""
    raise ChatsightProtocolError("Chatsight's result carried tags in an unknown form")


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return value is True


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
