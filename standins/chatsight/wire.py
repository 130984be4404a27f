"""Chatsight's body shapes: the two documented response styles and the tag request's fields."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from standins.chatsight.rules import SessionRequest

STREAM_SCHEMES = ("http", "https", "rtmp", "rtmps")
WEBHOOK_SCHEMES = ("http", "https")


def generic_error(message: str) -> dict[str, Any]:
    """The documented generic error object (docs/chatsight-api.md §1); what goes inside ``error``
    is ours."""
    return {"api": "chatsight-lang-text", "success": False, "error": {"message": message}}


def error_triplet(message: str) -> list[Any]:
    """``[success, status, error]`` as the stream routes answer; the error's shape is ours."""
    return [False, None, {"message": message}]


def parse_tag_request(body: Any) -> SessionRequest | str:
    """The request, or a message saying what is wrong. The real validation rules are unknown
    (docs/chatsight-api.md §3); these are the field table's types and nothing stricter."""
    if not isinstance(body, dict):
        return "body must be a JSON object"
    url: Any = body.get("url")
    if not _is_url(url, STREAM_SCHEMES):
        return "url must be an http, https, rtmp or rtmps URL"
    convo_id = body.get("convoId")
    if not isinstance(convo_id, str) or not convo_id:
        return "convoId must be a non-empty string"
    webhook: Any = body.get("webhook")
    if webhook is not None and not _is_url(webhook, WEBHOOK_SCHEMES):
        return "webhook must be an http or https URL"
    seed = body.get("seedSentence")
    if seed is not None and not isinstance(seed, str):
        return "seedSentence must be a string"
    return SessionRequest(url, convo_id, webhook, seed)


def _is_url(value: Any, schemes: tuple[str, ...]) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in schemes and bool(parts.netloc)
