"""What every storage backend shares: its failure, and (re-exported) the whole interface.

The protocols themselves are in ``bot/store/interface/``, one per concern.
"""

from __future__ import annotations

from bot.store.interface import Store


class StoreUnavailable(Exception):
    """The store took no write: locked past its wait, out of disk, or closed. Nothing was
    written, so the caller can say so (a webhook gets 503) and the work can be tried again."""


__all__ = ["Store", "StoreUnavailable"]
