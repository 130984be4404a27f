"""How the CLI prints a finished session: text for a person, one JSON line for a script."""

from __future__ import annotations

import json

from bot.domain.records import SessionRecord, SessionState

UNDOCUMENTED_NOTE = "includes tags outside Chatsight's published list"


def session_json(session: SessionRecord) -> str:
    return json.dumps(
        {
            "convoId": session.convo_id,
            "state": session.state.value,
            "tags": list(session.result.tags) if session.result else [],
            "undocumentedTags": bool(session.result and session.result.undocumented),
            **({"error": session.error} if session.error else {}),
        }
    )


def session_text(session: SessionRecord) -> str:
    if session.state is SessionState.COMPLETED and session.result is not None:
        tags = ", ".join(session.result.tags) or "(no tags)"
        note = f"\n  ({UNDOCUMENTED_NOTE})" if session.result.undocumented else ""
        return f"Tags: {tags}{note}\n  session {session.convo_id}"
    return f"Session {session.convo_id} {session.state.value}: {session.error or 'no reason given'}"
