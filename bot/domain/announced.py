"""Announced versus heard (issue 17): what an announcement said a stream is, against what
Chatsight hears on it.

A notifier's embed names the stream's title and game (its category). When a server has no seed
sentence of its own, those two are the seed, so Chatsight hears the stream knowing what it was
announced as. A server may map announced categories to the tags it expects of them; a followed
stream heard with none of its category's tags "does not match its announcement", which alerts
under the same sustained-signal rule as a flagged tag (alert_policy.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.records import MAX_SEED_LENGTH
from bot.domain.refusals import TooManyCategories
from bot.domain.stream_details import StreamDetails
from bot.domain.tags import parse_tags

# A category and the tags expected of it: "Chess=Chess,Board games", one mapping a line.
Expectations = tuple[tuple[str, tuple[str, ...]], ...]
MAX_CATEGORIES = 25


def announced_seed(shown: StreamDetails) -> str | None:
    """The seed an announcement gives: its title and game, when it shows either."""
    parts = [part for part in (shown.title, shown.category) if part]
    if not parts:
        return None
    return " — ".join(parts)[:MAX_SEED_LENGTH]


def expected_tags(expectations: Expectations, category: str | None) -> tuple[str, ...]:
    """The tags a server expects of a stream announced as ``category`` (case-insensitive)."""
    if category is None:
        return ()
    wanted = category.casefold()
    for name, tags in expectations:
        if name.casefold() == wanted:
            return tags
    return ()


def heard_as_announced(expected: Sequence[str], heard: Sequence[str]) -> bool:
    """Whether any tag heard is one expected; nothing expected is never a mismatch."""
    if not expected:
        return True
    wanted = {tag.casefold() for tag in expected}
    return any(tag.casefold() in wanted for tag in heard)


def with_expectation(expectations: Expectations, category: str, raw_tags: str) -> Expectations:
    """The mappings with ``category`` mapped to ``raw_tags`` (comma-separated); no tags
    removes it. Refused past MAX_CATEGORIES."""
    category = " ".join(category.replace("=", " ").split())
    others = tuple((n, t) for n, t in expectations if n.casefold() != category.casefold())
    tags = parse_tags(raw_tags)
    if not category or not tags:
        return others
    if len(others) >= MAX_CATEGORIES:
        raise TooManyCategories(MAX_CATEGORIES)
    return (*others, (category, tags))


def format_expectations(expectations: Expectations) -> str:
    """As the settings' column keeps them (``parse_expectations`` reads it back)."""
    return "\n".join(f"{name}={','.join(tags)}" for name, tags in expectations)


def parse_expectations(text: str | None) -> Expectations:
    found = []
    for line in (text or "").splitlines():
        name, _, tags = line.partition("=")
        if name and tags:
            found.append((name, parse_tags(tags)))
    return tuple(found)
