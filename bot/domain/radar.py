"""The undocumented-tag radar: tags a server's streams were heard with that Chatsight's published
list lacks.

A result says only that it holds undocumented tags (docs/chatsight-api.md §5); which ones is
told by the published list. Moderators see them with how many sessions were heard with each, and
may adopt one into the server's alert tags.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.domain.subscriptions import tag_key

SHOWN_AT_MOST = 20  # a button each; a message holds 25


@dataclass(frozen=True, slots=True)
class RadarEntry:
    tag: str  # as Chatsight spelled it
    sessions: int  # sessions heard with it
    last_heard_ms: int


def unlisted(heard: Sequence[str], published: Iterable[str]) -> tuple[str, ...]:
    """The heard tags the published list lacks, compared case-insensitively, in heard order."""
    listed = {tag_key(tag) for tag in published}
    return tuple(tag for tag in heard if tag_key(tag) not in listed)


def not_adopted(entries: Iterable[RadarEntry], alert_tags: Iterable[str]) -> list[RadarEntry]:
    """The entries that are not alert tags already, at most ``SHOWN_AT_MOST``."""
    adopted = {tag_key(tag) for tag in alert_tags}
    return [entry for entry in entries if tag_key(entry.tag) not in adopted][:SHOWN_AT_MOST]
