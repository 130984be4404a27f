"""Chatsight's webhook signature, as the verifier checks it.

Chatsight signs only the decimal text of the request's ``time`` (docs/chatsight-api.md §4, §12.1):
``base64(HMAC-SHA256(key=utf8(secret), msg=utf8(str(time))))``. The simulator signs with the
standard library's ``hmac`` on its own; a test holds the two byte-identical.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable

SigningKey = tuple["hashlib._Hash", "hashlib._Hash"]


def signing_key(secret: str) -> SigningKey:
    """HMAC's two keyed SHA-256 states (RFC 2104), built once per secret; each request copies them.

    Copying two hash states costs a third of copying an OpenSSL HMAC context (measured: 0.76 µs
    against 1.97 µs per signature), and the receiver computes one per webhook.
    """
    key = secret.encode()
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return hashlib.sha256(key.translate(_IPAD)), hashlib.sha256(key.translate(_OPAD))


_BLOCK = 64
_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


def _signature(key: SigningKey, message: bytes) -> bytes:
    inner, outer = key[0].copy(), key[1].copy()
    inner.update(message)
    outer.update(inner.digest())
    return base64.b64encode(outer.digest())


def sign_time(secret: str, time_text: str) -> str:
    return _signature(signing_key(secret), time_text.encode()).decode("ascii")


def signed_by_any(keys: Iterable[SigningKey], time_text: str, signature: str) -> bool:
    """Constant-time comparison, so a forger learns nothing from response timing."""
    message, received = time_text.encode(), signature.encode()
    # A loop, not any() over a generator: the generator costs ~0.5 µs, half the HMAC itself.
    for key in keys:  # noqa: SIM110
        if hmac.compare_digest(_signature(key, message), received):
            return True
    return False


def signature_matches(secret: str, time_text: str, signature: str) -> bool:
    return signed_by_any((signing_key(secret),), time_text, signature)
