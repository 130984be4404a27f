"""SessionMonitor: recovers lost webhooks by polling, and gives up on sessions that never finish.

Chatsight is a beta API (docs/chatsight-api.md): a webhook can be lost, or a session never end.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot.domain.clock import now_ms
from bot.errors import (
    ChatsightAuthError,
    ChatsightError,
    ChatsightRateLimited,
    ChatsightUnavailable,
)
from bot.sessions.service import TaggingService

log = logging.getLogger(__name__)

# Failures that are Chatsight's as a whole, not one session's: the next poll would meet them too.
_AWAY = (ChatsightUnavailable, ChatsightRateLimited, ChatsightAuthError)


class SessionMonitor:
    """Recovers lost webhooks by polling, and gives up on sessions that never finish (beta API)."""

    def __init__(
        self,
        service: TaggingService,
        *,
        poll_after_s: float,
        expire_after_s: float,
        interval_s: float = 30.0,
        clock: Callable[[], int] = now_ms,
    ) -> None:
        self._service = service
        self._poll_after_ms = int(poll_after_s * 1000)
        self._expire_after_ms = int(expire_after_s * 1000)
        self._interval_s = interval_s
        self._clock = clock

    async def check_once(self, limit: int = 200) -> int:
        now = self._clock()
        # A poll leases its session for POLL_AFTER_SECONDS: each is polled once per period
        # across every process sharing the database, never by two at once.
        overdue = await self._service.store.claim_overdue_sessions(
            now - self._poll_after_ms, now, self._poll_after_ms, limit
        )
        reachable = True
        for record in overdue:
            # A session about to expire is polled too: its result may have been lost on the way
            # only after its last poll.
            if reachable:
                reachable = await self._poll(record.convo_id)
            if now - record.created_at_ms >= self._expire_after_ms:
                await self._service.expire(record, self._expire_after_ms // 60_000)
        return len(overdue)

    async def _poll(self, convo_id: str) -> bool:
        """Whether Chatsight answered (or failed for this session alone). While it is away, the
        round's other sessions are not polled: each would spend the client's retries, and many
        would outlast the lease that keeps other processes from polling them meanwhile; they
        are polled next period."""
        try:
            await self._service.refresh(convo_id)
        except ChatsightError as error:
            away = isinstance(error, _AWAY)
            log.warning(
                "could not poll session %s: %s%s",
                convo_id,
                error.user_message,
                "; the others wait for their next poll" if away else "",
                extra={"session": convo_id},
            )
            return not away
        return True

    async def run(self) -> None:
        while True:
            await self.check_once()
            await asyncio.sleep(self._interval_s)
