"""Figures for the operator's dashboard, read in one statement."""

from __future__ import annotations

from typing import Protocol

from bot.domain.store_figures import StoreFigures


class FigureStore(Protocol):
    async def figures(self, now_ms: int) -> StoreFigures:
        """The outbox's depth, when its oldest due row fell due (at or before ``now_ms``), and
        how many follows are active; one read, served by the partial indexes of pending rows
        and due follows, so a scrape costs the database little however long the history."""
        ...
