"""HeldLeases: the rows and packs a worker holds keep their leases for as long as it holds them.

A claim leases what it takes for ``lease_ms`` so that a worker that died lets go of it. A worker
that lives may hold a row much longer without anything failing: a burst of alerts to one channel
goes out at Discord's 5 messages per 5 s, so the last of 80 waits more than a minute for its
turn. Had its lease run out meanwhile, the next claim (this worker's own, or another process's)
would take it again: a second post, and an attempt counted that never failed. So while a post
holds them, their leases are renewed every third of a lease. A renewal that fails (the database
is away) is retried at the next; what a later claim took meanwhile is that claim's, as the store
settles a row only for the claim that holds it (bot/store/interface/delivery.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Callable, Iterator, Sequence

from bot.domain.records import Delivery, DeliveryPack
from bot.store.base import StoreUnavailable
from bot.store.interface import OutboxStore

log = logging.getLogger(__name__)


class HeldLeases:
    def __init__(self, store: OutboxStore, lease_ms: int, clock: Callable[[], int]) -> None:
        self._store = store
        self._lease_ms = lease_ms
        self._clock = clock
        # Counted, so that one held twice (its lease ran out during a stall and this worker
        # claimed it again) is renewed until the last holder lets go.
        self._rows: Counter[Delivery] = Counter()
        self._packs: Counter[DeliveryPack] = Counter()

    @contextlib.contextmanager
    def held(
        self, rows: Sequence[Delivery] = (), packs: Sequence[DeliveryPack] = ()
    ) -> Iterator[None]:
        """Renewed until the block ends."""
        self._rows.update(rows)
        self._packs.update(packs)
        try:
            yield
        finally:
            self._rows.subtract(rows)
            self._packs.subtract(packs)
            self._rows = +self._rows
            self._packs = +self._packs

    async def renew(self) -> None:
        """Everything held, leased for another ``lease_ms`` from now."""
        if not self._rows and not self._packs:
            return
        lease_until = self._clock() + self._lease_ms
        await self._store.renew_leases(list(self._rows), list(self._packs), lease_until)

    async def keep(self) -> None:
        """Renew every third of a lease, until cancelled."""
        while True:
            await asyncio.sleep(self._lease_ms / 3000)
            try:
                await self.renew()
            except StoreUnavailable as error:
                log.warning("the leases of the posts in hand could not be renewed: %s", error)
            except Exception:
                log.exception("the leases of the posts in hand could not be renewed")
