"""Simulated tagging sessions: provisioning → running → finished (docs/chatsight-api.md §5, §10).

In auto mode each session walks through its phases on timers, as Chatsight's would; in manual
mode (``auto_advance=False``) only :meth:`SessionBook.advance` and :meth:`SessionBook.finish`
move it, so a test controls timing exactly instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from standins.chatsight.faults import Faults, StuckPhase
from standins.chatsight.rules import SessionRequest, TagOutcome, TagRule

PROVISIONING, RUNNING, FINISHED = "provisioning", "running", "finished"
# Assumed: Chatsight's stop codes are undocumented (docs/chatsight-api.md §11.3); this one marks a
# clean finish.
COMPLETED = "completed"

UndocumentedField = Literal["result", "top"] | None


@dataclass(slots=True)
class SimSession:
    request: SessionRequest
    sample: int
    outcome: TagOutcome
    stuck_in: StuckPhase | None = None
    result_lost: bool = False
    state: str = PROVISIONING
    instance_id: str = field(default_factory=lambda: "sim-" + secrets.token_hex(6))
    resource_claim: str = field(default_factory=lambda: secrets.token_hex(8))

    @property
    def finished(self) -> bool:
        return self.state == FINISHED

    def status(
        self, *, include_state: bool = True, undocumented_in: UndocumentedField = None
    ) -> dict[str, Any]:
        """The status object of ``GET /stream``: the keys of the tagging example, plus the
        moderation status's ``running``/``state``/``type``/``uri``/``resourceClaim``, which the
        docs say the tagging status resembles (docs/chatsight-api.md §5, §5.1)."""
        metadata: dict[str, Any] = {
            "sampleMethod": "edge",
            "searchMethod": "explore",
            "webhook": self.request.webhook,
        }
        status: dict[str, Any] = {
            "convoId": self.request.convo_id,
            "error": self.finished and self.outcome.error,
            "instanceId": self.instance_id,
            "metadata": metadata,
            "resourceClaim": self.resource_claim,
            "running": not self.finished,
            "type": "stream",
            "uri": self.request.url,
        }
        if include_state:
            status["state"] = self.state
        if not self.finished:
            return status
        metadata["stopReason"] = self.outcome.stop_reason or COMPLETED
        if self.outcome.error or self.result_lost:
            return status
        # The query example spaces its tags ("Food, Fun, Outd…"); the webhook example does not.
        result: dict[str, Any] = {
            "methods": {"sampling": "edge", "search": "explore"},
            "tags": ", ".join(self.outcome.tags),
        }
        status["result"] = result
        if undocumented_in == "result":
            result["undocumentedTags"] = self.outcome.undocumented
        elif undocumented_in == "top":
            status["undocumentedTags"] = self.outcome.undocumented
        return status


class SessionBook:
    def __init__(
        self,
        *,
        rule: TagRule,
        faults: Faults,
        on_finish: Callable[[SimSession], Awaitable[None]],
        provisioning_delay: float,
        running_delay: float,
        auto_advance: bool,
    ) -> None:
        self._rule = rule
        self._faults = faults
        self._on_finish = on_finish
        self._delays = {PROVISIONING: provisioning_delay, RUNNING: running_delay}
        self._auto_advance = auto_advance
        self._timers: dict[str, asyncio.Task[None]] = {}
        self.samples: Counter[str] = Counter()
        self.sessions: dict[str, SimSession] = {}

    def create(self, request: SessionRequest) -> SimSession:
        """A reused convoId overwrites the old session (docs/chatsight-api.md §3), timers and
        all."""
        self._cancel_timer(request.convo_id)
        self.samples[request.url] += 1
        sample = self.samples[request.url]
        outcome = self._rule(request, sample)
        fault = self._faults.take_session(request.convo_id)
        if fault.stop_reason is not None:
            outcome = TagOutcome(stop_reason=fault.stop_reason)
        session = SimSession(
            request, sample, outcome, stuck_in=fault.stuck_in, result_lost=fault.result_lost
        )
        self.sessions[request.convo_id] = session
        if self._auto_advance:
            self._timers[request.convo_id] = asyncio.create_task(
                self._walk(session), name=f"sim-session-{request.convo_id}"
            )
        return session

    def get(self, convo_id: str) -> SimSession:
        try:
            return self.sessions[convo_id]
        except KeyError:
            raise KeyError(f"no session {convo_id!r}") from None

    async def advance(self, convo_id: str) -> SimSession:
        """One step: provisioning → running, or running → finished."""
        session = self.get(convo_id)
        if session.state == PROVISIONING:
            session.state = RUNNING
            return session
        return await self.finish(convo_id)

    async def finish(
        self,
        convo_id: str,
        *,
        tags: tuple[str, ...] | None = None,
        stop_reason: str | None = None,
    ) -> SimSession:
        """Ends the session now (overriding its outcome if asked) and sends its webhook."""
        session = self.get(convo_id)
        if session.finished:
            raise ValueError(f"session {convo_id!r} already finished")
        if tags is not None or stop_reason is not None:
            session.outcome = TagOutcome(tags or (), stop_reason)
        if self._timers.get(convo_id) is not asyncio.current_task():
            self._cancel_timer(convo_id)
        session.state = FINISHED
        await self._on_finish(session)
        return session

    async def close(self) -> None:
        timers = list(self._timers.values())
        for timer in timers:
            timer.cancel()
        for timer in timers:
            with contextlib.suppress(asyncio.CancelledError):
                await timer
        self._timers.clear()

    async def _walk(self, session: SimSession) -> None:
        for phase in (PROVISIONING, RUNNING):
            await asyncio.sleep(self._delays[phase])
            if session.stuck_in == phase:
                return
            if phase == PROVISIONING:
                session.state = RUNNING
        await self.finish(session.request.convo_id)

    def _cancel_timer(self, convo_id: str) -> None:
        timer = self._timers.pop(convo_id, None)
        if timer is not None:
            timer.cancel()
