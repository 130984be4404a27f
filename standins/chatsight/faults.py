"""Faults queued by a test and consumed by the next matching request, webhook or session.

Chatsight is a beta API that may fail, stall or never call back (docs/chatsight-api.md §2, §12.7);
each queued fault reproduces one of those on demand, once per ``count``, so a test states exactly
what breaks.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal

from standins.chatsight.taglist import TAGLIST_PATH

ANY_ROUTE = "*"
ROUTES = ("/stream/tag", "/stream", "/addons/secrets", TAGLIST_PATH, ANY_ROUTE)

StuckPhase = Literal["provisioning", "running"]


@dataclass(slots=True)
class RouteFault:
    """Delay the answer by ``delay`` seconds, then answer ``status`` (or normally when None)."""

    status: int | None = None
    retry_after: str | None = None
    delay: float = 0.0


@dataclass(frozen=True, slots=True)
class WebhookFault:
    bad_signature: bool = False
    stale_seconds: float = 0.0
    copies: int = 1  # 0: never sent, 2: sent twice


@dataclass(frozen=True, slots=True)
class SessionFault:
    stop_reason: str | None = None
    stuck_in: StuckPhase | None = None
    result_lost: bool = False


class Faults:
    def __init__(self) -> None:
        self._routes: dict[str, deque[RouteFault]] = {}
        self._webhooks: deque[WebhookFault] = deque()
        self._sessions: dict[str | None, deque[SessionFault]] = {}

    # -- routes --------------------------------------------------------------------------------
    def fail_next(self, path: str = ANY_ROUTE, status: int = 503, count: int = 1) -> None:
        if not 500 <= status <= 599:
            raise ValueError("fail_next takes a 5xx status")
        self._add_route(path, RouteFault(status=status), count)

    def rate_limit_next(
        self, path: str = ANY_ROUTE, retry_after: float | str = 1, count: int = 1
    ) -> None:
        """``retry_after`` is sent as given, so a test can also send an HTTP-date or garbage."""
        text = retry_after if isinstance(retry_after, str) else _seconds_text(retry_after)
        self._add_route(path, RouteFault(status=429, retry_after=text), count)

    def slow_next(self, path: str = ANY_ROUTE, delay: float = 1.0, count: int = 1) -> None:
        self._add_route(path, RouteFault(delay=delay), count)

    def take_route(self, path: str) -> RouteFault | None:
        for key in (path, ANY_ROUTE):
            queue = self._routes.get(key)
            if queue:
                return queue.popleft()
        return None

    def _add_route(self, path: str, fault: RouteFault, count: int) -> None:
        if path not in ROUTES:
            raise ValueError(f"unknown route {path!r}; one of {', '.join(ROUTES)}")
        self._routes.setdefault(path, deque()).extend([fault] * count)

    # -- webhooks ------------------------------------------------------------------------------
    def bad_signature_next_webhook(self) -> None:
        self._webhooks.append(WebhookFault(bad_signature=True))

    def stale_next_webhook(self, age_seconds: float) -> None:
        self._webhooks.append(WebhookFault(stale_seconds=age_seconds))

    def duplicate_next_webhook(self) -> None:
        self._webhooks.append(WebhookFault(copies=2))

    def drop_next_webhook(self) -> None:
        self._webhooks.append(WebhookFault(copies=0))

    def take_webhook(self) -> WebhookFault:
        return self._webhooks.popleft() if self._webhooks else WebhookFault()

    # -- sessions ------------------------------------------------------------------------------
    def error_next_session(self, stop_reason: str, convo_id: str | None = None) -> None:
        """Ends the named session (or the next one started) in error with ``stop_reason``."""
        self._sessions.setdefault(convo_id, deque()).append(SessionFault(stop_reason=stop_reason))

    def stick_next_session(
        self, phase: StuckPhase = "provisioning", convo_id: str | None = None
    ) -> None:
        """The session never leaves ``phase`` on its own (``finish`` still ends it)."""
        if phase not in ("provisioning", "running"):
            raise ValueError("phase must be provisioning or running")
        self._sessions.setdefault(convo_id, deque()).append(SessionFault(stuck_in=phase))

    def lose_next_result(self, convo_id: str | None = None) -> None:
        """The named session (or the next one started) finishes without error and without its
        result: ``running: false``, no ``result``, no webhook. The docs warn that results may not
        come back because of an error (docs/chatsight-api.md §2)."""
        self._sessions.setdefault(convo_id, deque()).append(SessionFault(result_lost=True))

    def take_session(self, convo_id: str) -> SessionFault:
        for key in (convo_id, None):
            queue = self._sessions.get(key)
            if queue:
                return queue.popleft()
        return SessionFault()

    def clear(self) -> None:
        self._routes.clear()
        self._webhooks.clear()
        self._sessions.clear()


def _seconds_text(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else str(seconds)
