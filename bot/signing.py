"""Chatsight's webhook signature, shared by our verifier and the local simulator.

Chatsight signs only the decimal text of the request's ``time`` (shared/chatsight-api.md §4, §12.1):
``base64(HMAC-SHA256(key=utf8(secret), msg=utf8(str(time))))``. Keeping the one formula here means
the simulator cannot drift from what the receiver accepts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def sign_time(secret: str, time_text: str) -> str:
    digest = hmac.new(secret.encode(), time_text.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signature_matches(secret: str, time_text: str, signature: str) -> bool:
    """Constant-time comparison, so a forger learns nothing from response timing."""
    return hmac.compare_digest(sign_time(secret, time_text).encode(), signature.encode())
