"""Tag results as Chatsight reports them: one comma-separated string
(docs/chatsight-api.md §12.8)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.plain_text import without_controls


def parse_tags(raw: str) -> tuple[str, ...]:
    """Split, trim, drop control characters and empties, and de-duplicate keeping first
    occurrence.

    The webhook example has no spaces ("Fun,Relaxed") and the query example has them
    ("Food, Fun"), so both must parse to the same tags.
    """
    seen: dict[str, None] = {}
    for part in without_controls(raw).split(","):
        tag = part.strip()
        if tag:
            seen.setdefault(tag, None)
    return tuple(seen)


@dataclass(frozen=True, slots=True)
class TagResult:
    tags: tuple[str, ...]
    undocumented: bool = False

    @classmethod
    def from_raw(cls, raw: str, undocumented: bool = False) -> TagResult:
        return cls(parse_tags(raw), undocumented)
