"""Which tags a simulated session returns, chosen by the test through the stream URL itself.

Driving the outcome from the URL (``?tags=Fun,Relaxed``) lets an end-to-end test, or a person
typing ``/tag`` by hand, pick the result without any side channel to the simulator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

# PLACEHOLDER, not Chatsight's real vocabulary. The real list is published at
# https://announce.chatsight.ai/audio/tagginglist.json and is not available offline
# (docs/chatsight-api.md §6, §12.10). It exists only so ``undocumentedTags`` has something to mean.
PLACEHOLDER_VOCABULARY: frozenset[str] = frozenset(
    {"Food", "Fun", "Relaxed", "Outdoors", "Gaming", "Music", "Sports", "Chatting"}
)

DEFAULT_TAGS: tuple[str, ...] = ("Fun", "Relaxed")

# A made-up stop code: Chatsight's catalogue of stopReason values is unknown
# (docs/chatsight-api.md §11.3).
STREAM_ENDED = "stream_unavailable"


@dataclass(frozen=True, slots=True)
class SessionRequest:
    """The validated body of ``POST /stream/tag``."""

    url: str
    convo_id: str
    webhook: str | None = None
    seed: str | None = None


@dataclass(frozen=True, slots=True)
class TagOutcome:
    """How a session will end: with tags, or in error with ``stop_reason``."""

    tags: tuple[str, ...] = ()
    stop_reason: str | None = None

    @property
    def error(self) -> bool:
        return self.stop_reason is not None

    @property
    def undocumented(self) -> bool:
        return any(tag not in PLACEHOLDER_VOCABULARY for tag in self.tags)


class TagRule(Protocol):
    """``sample`` counts the sessions started for the same stream URL, from 1."""

    def __call__(self, request: SessionRequest, sample: int) -> TagOutcome: ...


class FixedTags:
    """Every session gets the same tags (``--tags A,B`` on the command line)."""

    def __init__(self, tags: Sequence[str]) -> None:
        self._tags = tuple(tags)

    def __call__(self, request: SessionRequest, sample: int) -> TagOutcome:
        return TagOutcome(self._tags)


class QueryTags:
    """Reads ``tags`` and ``ended_after`` from the stream URL's query string.

    ``tags=Fun|Fun|Violence`` gives each successive sample of the same URL its own tags (the last
    repeats), so a test can make a stream change mood; ``ended_after=N`` makes every sample after
    the Nth fail as a stream that went offline would.
    """

    def __init__(self, default: Sequence[str] = DEFAULT_TAGS) -> None:
        self._default = tuple(default)

    def __call__(self, request: SessionRequest, sample: int) -> TagOutcome:
        query = parse_qs(urlsplit(request.url).query, keep_blank_values=True)
        ended_after = query.get("ended_after", [""])[-1]
        if ended_after.isdigit() and sample > int(ended_after):
            return TagOutcome(stop_reason=STREAM_ENDED)
        if "tags" not in query:
            return TagOutcome(self._default)
        samples = query["tags"][-1].split("|")
        chosen = samples[min(sample, len(samples)) - 1]
        return TagOutcome(tuple(t.strip() for t in chosen.split(",") if t.strip()))
