"""Message-body limits and normalisation, answering with Discord's own error bodies.

The bot is tested for staying inside these limits, so each limit produces exactly the
``errors`` tree Discord would (``embeds.0.title._errors`` ...), and stored messages get the
normalised shapes Discord returns (``type: "rich"``, ``inline`` on every field, component ids).
"""

from __future__ import annotations

import copy
from typing import Any

from .errors import empty_message, field_error, invalid_form
from .model import JSON

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
EMBED_LIMITS = {"title": 256, "description": 4096}
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
AUTHOR_NAME_MAX = 256
NONCE_MAX = 25
CHOICES_MAX = 25
CHOICE_TEXT_MAX = 100
ALLOWED_MENTIONS_IDS_MAX = 100  # users, and roles, an allowed_mentions object lists


def _too_long(limit: int) -> dict[str, Any]:
    return field_error("BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _embed_errors(embed: JSON) -> tuple[dict[str, Any], int]:
    errors: dict[str, Any] = {}
    total = 0
    for key, limit in EMBED_LIMITS.items():
        text = str(embed.get(key) or "")
        total += len(text)
        if len(text) > limit:
            errors[key] = _too_long(limit)
    footer = str((embed.get("footer") or {}).get("text") or "")
    total += len(footer)
    if len(footer) > FOOTER_MAX:
        errors["footer"] = {"text": _too_long(FOOTER_MAX)}
    author = str((embed.get("author") or {}).get("name") or "")
    total += len(author)
    if len(author) > AUTHOR_NAME_MAX:
        errors["author"] = {"name": _too_long(AUTHOR_NAME_MAX)}
    fields = embed.get("fields") or []
    if len(fields) > FIELDS_MAX:
        errors["fields"] = _too_long(FIELDS_MAX)
    field_errors: dict[str, Any] = {}
    for index, item in enumerate(fields):
        name, value = str(item.get("name") or ""), str(item.get("value") or "")
        total += len(name) + len(value)
        one: dict[str, Any] = {}
        if len(name) > FIELD_NAME_MAX:
            one["name"] = _too_long(FIELD_NAME_MAX)
        if len(value) > FIELD_VALUE_MAX:
            one["value"] = _too_long(FIELD_VALUE_MAX)
        if one:
            field_errors[str(index)] = one
    if field_errors and "fields" not in errors:
        errors["fields"] = field_errors
    return errors, total


def check_message_body(payload: JSON, *, creating: bool) -> None:
    """Refuse a create/edit body over Discord's limits, or a create with nothing to show."""
    errors: dict[str, Any] = {}
    content = payload.get("content")
    if content is not None and len(str(content)) > CONTENT_MAX:
        errors["content"] = _too_long(CONTENT_MAX)
    embeds = payload.get("embeds") or []
    if len(embeds) > EMBEDS_MAX:
        errors["embeds"] = _too_long(EMBEDS_MAX)
    else:
        embed_errors: dict[str, Any] = {}
        total = 0
        for index, embed in enumerate(embeds):
            one, size = _embed_errors(embed)
            total += size
            if one:
                embed_errors[str(index)] = one
        if embed_errors:
            errors["embeds"] = embed_errors
        elif total > EMBED_TOTAL_MAX:
            errors["embeds"] = field_error(
                "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX}"
            )
    nonce = payload.get("nonce")
    if isinstance(nonce, str) and len(nonce) > NONCE_MAX:
        errors["nonce"] = _too_long(NONCE_MAX)
    mentions = payload.get("allowed_mentions")
    if isinstance(mentions, dict):
        parse = mentions.get("parse") or []
        for kind in ("users", "roles"):
            if kind in parse and mentions.get(kind):
                errors["allowed_mentions"] = field_error(
                    "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                    f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
                )
            elif len(mentions.get(kind) or []) > ALLOWED_MENTIONS_IDS_MAX:
                errors["allowed_mentions"] = {kind: _too_long(ALLOWED_MENTIONS_IDS_MAX)}
    if errors:
        raise invalid_form(errors)
    if creating and not any(
        payload.get(key) for key in ("content", "embeds", "components", "sticker_ids", "poll")
    ):
        raise empty_message()


def check_autocomplete(data: JSON) -> None:
    """Refuse an autocomplete answer over Discord's limits (docs/discord-notes.md): at most 25
    choices, each named in 1 to 100 characters, a string value at most 100."""
    choices = data.get("choices") or []  # the schema allows none, or null
    if not isinstance(choices, list):
        raise invalid_form({"data": {"choices": field_error("LIST_TYPE_CONVERT", "Not a list.")}})
    if len(choices) > CHOICES_MAX:
        raise invalid_form({"data": {"choices": _too_long(CHOICES_MAX)}})
    errors: dict[str, Any] = {}
    for index, choice in enumerate(choices):
        one: dict[str, Any] = {}
        name, value = choice.get("name"), choice.get("value")
        if not isinstance(name, str) or not 1 <= len(name) <= CHOICE_TEXT_MAX:
            one["name"] = field_error(
                "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {CHOICE_TEXT_MAX} in length."
            )
        if isinstance(value, str) and len(value) > CHOICE_TEXT_MAX:
            one["value"] = _too_long(CHOICE_TEXT_MAX)
        elif not isinstance(value, str | int | float):
            one["value"] = field_error("BASE_TYPE_REQUIRED", "This field is required")
        if one:
            errors[str(index)] = one
    if errors:
        raise invalid_form({"data": {"choices": errors}})


def normalize_embeds(embeds: list[JSON]) -> list[JSON]:
    result = []
    for embed in embeds:
        item = copy.deepcopy(embed)
        item.setdefault("type", "rich")
        if "fields" in item:
            item["fields"] = [{**f, "inline": bool(f.get("inline", False))} for f in item["fields"]]
        if "footer" in item:
            item["footer"] = {k: v for k, v in item["footer"].items() if v is not None}
        result.append(item)
    return result


def normalize_components(components: list[JSON]) -> list[JSON]:
    """Number components depth-first from 1, as Discord does when the sender gave no ids."""
    counter = 0

    def walk(items: list[JSON]) -> list[JSON]:
        nonlocal counter
        out = []
        for item in items:
            node = copy.deepcopy(item)
            counter += 1
            node.setdefault("id", counter)
            if isinstance(node.get("components"), list):
                node["components"] = walk(node["components"])
            out.append(node)
        return out

    return walk(components)


def is_empty_after_edit(data: JSON) -> bool:
    return not any(data.get(key) for key in ("content", "embeds", "components", "attachments"))
