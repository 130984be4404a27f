"""Chatsight's webhook signature, shared by our verifier and the local simulator.

Chatsight signs only the decimal text of the request's ``time`` (shared/chatsight-api.md §4, §12.1):
``base64(HMAC-SHA256(key=utf8(secret), msg=utf8(str(time))))``. Keeping the one formula here means
the simulator cannot drift from what the receiver accepts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable


def signing_key(secret: str) -> hmac.HMAC:
    """The key schedule of one secret, done once: each request then copies it (signed_by_any)."""
    return hmac.new(secret.encode(), digestmod=hashlib.sha256)


def _signature(key: hmac.HMAC, message: bytes) -> bytes:
    mac = key.copy()
    mac.update(message)
    return base64.b64encode(mac.digest())


def sign_time(secret: str, time_text: str) -> str:
    return _signature(signing_key(secret), time_text.encode()).decode("ascii")


def signed_by_any(keys: Iterable[hmac.HMAC], time_text: str, signature: str) -> bool:
    """Constant-time comparison, so a forger learns nothing from response timing."""
    message, received = time_text.encode(), signature.encode()
    return any(hmac.compare_digest(_signature(key, message), received) for key in keys)


def signature_matches(secret: str, time_text: str, signature: str) -> bool:
    return signed_by_any((signing_key(secret),), time_text, signature)
