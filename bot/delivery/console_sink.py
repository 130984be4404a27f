"""The CLI's result sink: prints a finished session the way a person (or a script) reads it."""

from __future__ import annotations

import asyncio
from typing import TextIO

from bot.delivery.retries import DeliveryFailed
from bot.domain.records import Delivery, SessionRecord
from bot.rendering.console import session_json, session_text


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
