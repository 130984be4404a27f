"""What the operator's tools read across every server: the dashboard's figures (``/metrics``)
and the servers that configured something (``chatsight-bot doctor``)."""

from __future__ import annotations

from typing import Protocol

from bot.domain.store_figures import StoreFigures


class OperatorStore(Protocol):
    async def figures(self, now_ms: int) -> StoreFigures:
        """The outbox's depth, when its oldest due row fell due (at or before ``now_ms``), and
        how many follows are active; one read, served by the partial indexes of pending rows
        and due follows, so a scrape costs the database little however long the history."""
        ...

    async def configured_guild_ids(self) -> list[int]:
        """Every server with settings or watched channels, in id order."""
        ...
