"""The CLI's result sink: prints a finished session the way a person (or a script) reads it."""

from __future__ import annotations

import asyncio
import json
from typing import TextIO

from bot.delivery.worker import DeliveryFailed
from bot.domain.records import Delivery, SessionRecord, SessionState

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


class ConsoleSink:
    """Prints this run's own session; another CLI run's rows are left for that run."""

    def __init__(self, convo_id: str, out: TextIO, *, as_json: bool) -> None:
        self.convo_id = convo_id
        self._out = out
        self._as_json = as_json
        self.printed: asyncio.Future[SessionRecord] = asyncio.get_running_loop().create_future()

    async def deliver(self, delivery: Delivery, session: SessionRecord) -> int | None:
        if session.convo_id != self.convo_id:
            raise DeliveryFailed("belongs to another CLI run", permanent=False, retry_after_s=5)
        print(session_json(session) if self._as_json else session_text(session), file=self._out)
        self._out.flush()
        if not self.printed.done():
            self.printed.set_result(session)
        return None
