"""WebhookVerifier and the delivery parser: what is refused, with which status."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.tags import TagResult
from bot.webhook.signing import sign_time, signature_matches
from bot.webhook.verifier import Rejection, SecretRing, WebhookVerifier, parse_delivery
from standins.chatsight.webhook import sign_time as simulator_signature

NOW = 1_700_000_000_000


def body(**overrides: object) -> bytes:
    document: dict[str, object] = {
        "sender": "chatsight-webhooks",
        "addon": "ssiQuery",
        "payload": {"tags": "Fun, Relaxed,,Fun", "undocumentedTags": False, "convoId": "c1"},
        "time": NOW,
        "hmac": sign_time("secret", str(NOW)),
    }
    document.update(overrides)
    return json.dumps(document).encode()


def verifier(*secrets: tuple[str, int], grace_ms: int = 60_000) -> WebhookVerifier:
    ring = SecretRing(grace_ms)
    ring.replace(list(secrets) or [("secret", 0)])
    return WebhookVerifier(ring, max_skew_ms=300_000, clock=lambda: NOW)


def test_documented_delivery_parses_and_verifies() -> None:
    delivery = parse_delivery(body())
    assert delivery.result == TagResult(("Fun", "Relaxed"), False)
    assert delivery.convo_id == "c1"
    verifier().verify(delivery)


def test_time_and_hmac_inside_payload_are_accepted() -> None:
    payload = {"tags": "Fun", "convoId": "c1", "time": NOW, "hmac": sign_time("secret", str(NOW))}
    raw = json.dumps({"sender": "chatsight-webhooks", "payload": payload}).encode()
    verifier().verify(parse_delivery(raw))


def test_time_as_a_string_is_signed_as_received() -> None:
    delivery = parse_delivery(body(time=str(NOW)))
    verifier().verify(delivery)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (body(sender="someone-else"), "sender"),
        (body(payload="Fun"), "payload"),
        (body(payload={"tags": 3, "convoId": "c1"}), "tags"),
        (body(payload={"tags": "Fun", "convoId": ""}), "convoId"),
        (body(payload={"tags": "Fun", "convoId": "c", "undocumentedTags": "no"}), "undocumented"),
        (body(time=True), "time"),
        (body(time=1.5), "time"),
        (body(time="12a"), "time"),
        (body(hmac=None), "hmac"),
        (
            json.dumps(
                {
                    "sender": "chatsight-webhooks",
                    "payload": {"tags": "", "convoId": "c", "time": NOW + 1},
                    "time": NOW,
                    "hmac": "x",
                }
            ).encode(),
            "differs",
        ),
    ],
)
def test_malformed_bodies_are_400(raw: bytes, reason: str) -> None:
    with pytest.raises(Rejection) as caught:
        parse_delivery(raw)
    assert caught.value.status == 400
    assert reason in caught.value.reason


def test_wrong_signature_is_401() -> None:
    with pytest.raises(Rejection) as caught:
        verifier().verify(parse_delivery(body(hmac=sign_time("other", str(NOW)))))
    assert caught.value.status == 401


def test_stale_and_future_times_are_401() -> None:
    for when in (NOW - 300_001, NOW + 300_001):
        delivery = parse_delivery(body(time=when, hmac=sign_time("secret", str(when))))
        with pytest.raises(Rejection, match="freshness") as caught:
            verifier().verify(delivery)
        assert caught.value.status == 401


def test_previous_secret_accepted_only_during_grace() -> None:
    rotated_at = NOW - 30_000
    old_sig = body(hmac=sign_time("old", str(NOW)))
    verifier(("old", 0), ("new", rotated_at), grace_ms=60_000).verify(parse_delivery(old_sig))
    expired = verifier(("old", 0), ("new", NOW - 61_000), grace_ms=60_000)
    with pytest.raises(Rejection):
        expired.verify(parse_delivery(old_sig))
    expired.verify(parse_delivery(body(hmac=sign_time("new", str(NOW)))))


@given(secret=st.text(max_size=200), time_ms=st.integers(min_value=0, max_value=10**16))
def test_our_signature_is_the_simulators_standard_hmac_sha256(secret: str, time_ms: int) -> None:
    """signing.py builds HMAC from two SHA-256 states; it must equal the simulator's stdlib HMAC
    exactly, for short secrets, secrets longer than SHA-256's 64-byte block, and non-ASCII ones."""
    expected = simulator_signature(secret, str(time_ms))
    assert sign_time(secret, str(time_ms)) == expected
    assert signature_matches(secret, str(time_ms), expected)
    assert not signature_matches(secret + "x", str(time_ms), expected)
