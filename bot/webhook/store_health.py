"""StoreHealth: what ``GET /healthz`` says of the store, its writes included.

A store whose disk is full, or that has become read-only, still answers reads, so a read alone
reports it "ok" while every webhook here is answered 503 and the load balancer keeps sending them.
So a result the store refused counts as a failed write check, and the check says "unwritable"
until a write succeeds again: a stored webhook, or the check's own (``Store.writable``,
committed as a result is), made at most once a second and only while writes are failing, so the
health check is no write load of its own. On a nearly full disk the check's small write may pass
where a result's did not; the next refused result says "unwritable" again for a second, as a
circuit breaker would.
"""

from __future__ import annotations

import asyncio
import enum
import math
import time

from bot.store import Store
from bot.store.base import StoreUnavailable

WRITE_CHECK_EVERY_S = 1.0
# Under a load balancer's own timeout for the check (deploy/compose.yaml: 3 s): a write still
# waiting then (a write lock another process holds) counts as failed.
WRITE_CHECK_TIMEOUT_S = 2.0


class StoreState(enum.StrEnum):
    OK = "ok"
    DOWN = "down"  # it does not answer reads
    UNWRITABLE = "unwritable"  # it answers reads, but a write just failed


class StoreHealth:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._failing = False
        self._last_check = -math.inf
        self._checking = asyncio.Lock()

    def stored(self) -> None:
        self._failing = False

    def not_stored(self) -> None:
        self._failing = True
        self._last_check = time.monotonic()

    async def state(self) -> StoreState:
        try:
            if not await self._store.healthy():
                return StoreState.DOWN
        except StoreUnavailable:
            return StoreState.DOWN
        if self._failing and not await self._writes_again():
            return StoreState.UNWRITABLE
        return StoreState.OK

    async def _writes_again(self) -> bool:
        """One write check a second; callers meanwhile get the last one's answer."""
        async with self._checking:
            now = time.monotonic()
            if not self._failing or now - self._last_check < WRITE_CHECK_EVERY_S:
                return not self._failing
            self._last_check = now
            try:
                async with asyncio.timeout(WRITE_CHECK_TIMEOUT_S):
                    writable = await self._store.writable()
            except TimeoutError:
                writable = False
            if writable:
                self._failing = False
            return writable
