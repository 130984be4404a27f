"""TagHistory: a server's sessions heard with one tag, a page at a time, in the channels the
member can view (the cog reads those from Discord's permissions; this service never sees
Discord)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from bot.domain.records import SessionRecord
from bot.domain.refusals import NoTagsGiven
from bot.store.interface import ReportStore

PAGE_SIZE = 5


@dataclass(frozen=True, slots=True)
class HistoryPage:
    tag: str
    page: int
    sessions: list[SessionRecord]
    has_next: bool


class TagHistory:
    def __init__(self, store: ReportStore, *, page_size: int = PAGE_SIZE) -> None:
        self._store = store
        self._page_size = page_size

    async def page(
        self, guild_id: int, tag: str, channel_ids: Collection[int], page: int
    ) -> HistoryPage:
        """Newest first; one row more than a page is read to know whether another follows."""
        tag = tag.strip()
        if not tag:
            raise NoTagsGiven()
        size = self._page_size
        rows = await self._store.tag_history(guild_id, tag, channel_ids, size + 1, page * size)
        return HistoryPage(tag, page, rows[:size], has_next=len(rows) > size)
