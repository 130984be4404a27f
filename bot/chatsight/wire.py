"""Reading Chatsight's answers: partly documented shapes, read tolerantly into typed values.

Chatsight answers in two documented styles and some undocumented ones (docs/chatsight-api.md §1,
§12.5-12.7). Everything here is pure, so each shape is tested without a server.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain.tags import TagResult
from bot.errors import ChatsightProtocolError, ChatsightUnknownSession


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


def json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def unwrap(body: Any) -> tuple[bool, Any]:
    """(success, payload) from either documented style: the ``[ok, status, error]`` triplet or
    the ``{"success": …, "response": …}`` envelope (docs/chatsight-api.md §1). Anything else is
    taken as a bare payload, since the tagging answers are only partly documented."""
    if isinstance(body, list) and body and isinstance(body[0], bool):
        return body[0], body[1] if len(body) > 1 else None
    if isinstance(body, Mapping) and isinstance(body.get("success"), bool):
        return body["success"], body.get("response")
    return True, body


def says_failure(body: Any) -> bool:
    return not unwrap(body)[0]


def error_text(body: Any) -> str | None:
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
    ok, status = unwrap(body)
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
