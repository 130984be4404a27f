"""WebhookVerifier: decides whether a POST really is Chatsight's result for one of our sessions.

Chatsight signs only the ``time`` field (docs/chatsight-api.md §4), so the signature alone proves
little: a captured delivery could be replayed with another body. The checks here add a freshness
window and leave the per-session URL token and the one-result rule to the receiver and the store
(§12.3).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from bot.domain.clock import now_ms
from bot.domain.tags import TagResult
from bot.webhook.signing import SigningKey, signed_by_any, signing_key

SENDER = "chatsight-webhooks"


class Rejection(Exception):
    """A refused delivery: the HTTP status to answer and a reason for the operator's log."""

    def __init__(self, status: int, reason: str, *, close: bool = False) -> None:
        """``close``: the connection cannot carry another request (its body was not read to
        its end)."""
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.close = close


@dataclass(slots=True)
class WebhookDelivery:
    """Not frozen for the same reason as ``Completion``: one is built per webhook."""

    convo_id: str
    result: TagResult
    time_text: str
    time_ms: int
    signature: str


def parse_delivery(body: bytes) -> WebhookDelivery:
    """Validate the documented shape (docs/chatsight-api.md §3.1) and tolerate ``time``/``hmac``
    inside ``payload``."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise Rejection(400, "body is not JSON") from None
    if not isinstance(document, dict):
        raise Rejection(400, "body is not a JSON object")
    if document.get("sender") != SENDER:
        raise Rejection(400, "sender is not chatsight-webhooks")
    payload = document.get("payload")
    if not isinstance(payload, dict):
        raise Rejection(400, "payload is missing or not an object")
    tags, undocumented, convo_id = (
        payload.get("tags"),
        payload.get("undocumentedTags", False),
        payload.get("convoId"),
    )
    if not isinstance(tags, str):
        raise Rejection(400, "payload.tags is not a string")
    if not isinstance(undocumented, bool):
        raise Rejection(400, "payload.undocumentedTags is not a boolean")
    # Ours are UUIDs; a control character (PostgreSQL's text cannot even hold a NUL) is none.
    if (
        not isinstance(convo_id, str)
        or not convo_id
        or len(convo_id) > 200
        or not convo_id.isprintable()
    ):
        raise Rejection(400, "payload.convoId is not a usable string")
    time_value = _single(document, payload, "time")
    signature = _single(document, payload, "hmac")
    time_text = _time_text(time_value)
    if not isinstance(signature, str) or not signature:
        raise Rejection(400, "hmac is missing or not a string")
    return WebhookDelivery(
        convo_id, TagResult.from_raw(tags, undocumented), time_text, int(time_text), signature
    )


def _single(document: Mapping[str, Any], payload: Mapping[str, Any], key: str) -> Any:
    outer, inner = document.get(key), payload.get(key)
    if outer is not None and inner is not None and outer != inner:
        raise Rejection(400, f"{key} differs between the body and its payload")
    return outer if outer is not None else inner


def _time_text(value: Any) -> str:
    """The decimal text Chatsight signed: a JSON integer, or a string of digits as received."""
    if isinstance(value, bool):
        raise Rejection(400, "time is not a millisecond timestamp")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 16:
        return value
    raise Rejection(400, "time is not a millisecond timestamp")


class SecretRing:
    """The shared secrets in force: the newest, and older ones during a grace period.

    Rotation invalidates the old secret at Chatsight at once, but a webhook signed a moment before
    may still be on its way; the grace period keeps such a delivery from being refused.
    """

    def __init__(self, grace_ms: int) -> None:
        self._grace_ms = grace_ms
        self._keys: list[tuple[SigningKey, int]] = []

    def replace(self, secrets: list[tuple[str, int]]) -> None:
        """Secrets with the time each came into force, in any order."""
        self._keys = sorted(((signing_key(secret), since) for secret, since in secrets), key=_since)

    def keys_at(self, at_ms: int) -> list[SigningKey]:
        """The newest key first: a key stays valid until its successor's grace period ends."""
        keys = self._keys
        valid = [keys[-1][0]] if keys else []
        for index in range(len(keys) - 2, -1, -1):
            if at_ms <= keys[index + 1][1] + self._grace_ms:
                valid.append(keys[index][0])
        return valid


def _since(key: tuple[SigningKey, int]) -> int:
    return key[1]


class WebhookVerifier:
    def __init__(
        self, ring: SecretRing, *, max_skew_ms: int, clock: Callable[[], int] = now_ms
    ) -> None:
        self.ring = ring
        self._max_skew_ms = max_skew_ms
        self._clock = clock

    def verify(self, delivery: WebhookDelivery) -> None:
        now = self._clock()
        if not signed_by_any(self.ring.keys_at(now), delivery.time_text, delivery.signature):
            raise Rejection(401, "hmac does not match a shared secret in force")
        if abs(now - delivery.time_ms) > self._max_skew_ms:
            raise Rejection(401, "time is outside the freshness window")
