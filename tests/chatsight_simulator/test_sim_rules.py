"""Tag rules: the stream URL picks the outcome, per sample of the same URL."""

from __future__ import annotations

import aiohttp
import pytest

from standins.chatsight import (
    PLACEHOLDER_VOCABULARY,
    ChatsightSimulator,
    FixedTags,
    QueryTags,
    SessionRequest,
    TagOutcome,
)
from tests.chatsight_simulator.harness import STREAM_URL, running_simulator, start


def outcome(url: str, sample: int = 1) -> TagOutcome:
    return QueryTags()(SessionRequest(url, "c1"), sample)


def test_the_placeholder_list_holds_the_documented_examples() -> None:
    assert {"Food", "Fun", "Relaxed", "Outdoors"} <= PLACEHOLDER_VOCABULARY


@pytest.mark.parametrize(
    ("url", "tags"),
    [
        (STREAM_URL, ("Fun", "Relaxed")),
        (f"{STREAM_URL}?tags=Food,Outdoors", ("Food", "Outdoors")),
        (f"{STREAM_URL}?tags=%20Food%20,,Fun", ("Food", "Fun")),
        (f"{STREAM_URL}?tags=", ()),
        ("rtmp://s.test/live/key?tags=Music", ("Music",)),
    ],
)
def test_tags_come_from_the_url(url: str, tags: tuple[str, ...]) -> None:
    assert outcome(url) == TagOutcome(tags)


def test_a_pipe_gives_each_sample_its_tags_and_the_last_repeats() -> None:
    url = f"{STREAM_URL}?tags=Fun|Fun|Violence"
    assert [outcome(url, n).tags for n in (1, 2, 3, 4)] == [
        ("Fun",),
        ("Fun",),
        ("Violence",),
        ("Violence",),
    ]


def test_ended_after_fails_every_later_sample() -> None:
    url = f"{STREAM_URL}?tags=Fun&ended_after=2"
    results = [outcome(url, n) for n in (1, 2, 3, 4)]
    assert [r.error for r in results] == [False, False, True, True]
    assert results[2].stop_reason == "stream_unavailable"


def test_undocumented_means_outside_the_placeholder_list() -> None:
    assert not TagOutcome(("Fun", "Food")).undocumented
    assert TagOutcome(("Fun", "Violence")).undocumented


def test_fixed_tags_ignore_the_url() -> None:
    rule = FixedTags(["Gaming"])
    assert rule(SessionRequest(f"{STREAM_URL}?tags=Fun", "c1"), 3) == TagOutcome(("Gaming",))


async def test_samples_are_counted_per_stream_url(
    simulator: ChatsightSimulator, http: aiohttp.ClientSession
) -> None:
    url = f"{STREAM_URL}?tags=Food|Fun&ended_after=2"
    for convo in ("a1", "a2", "a3"):
        await start(http, simulator, convo, url=url)
        await simulator.finish(convo)
    await start(http, simulator, "other", url=f"{STREAM_URL}?tags=Food|Fun")
    await simulator.finish("other")
    statuses = {c: simulator.status_of(c) for c in ("a1", "a2", "a3", "other")}
    assert statuses["a1"]["result"]["tags"] == "Food"
    assert statuses["a2"]["result"]["tags"] == "Fun"
    assert statuses["a3"]["error"] is True
    assert statuses["a3"]["metadata"]["stopReason"] == "stream_unavailable"
    assert statuses["other"]["result"]["tags"] == "Food"


async def test_a_custom_rule_sees_the_request_and_sample(http: aiohttp.ClientSession) -> None:
    seen: list[tuple[str, int]] = []

    def rule(request: SessionRequest, sample: int) -> TagOutcome:
        seen.append((request.convo_id, sample))
        return TagOutcome(("Custom",))

    async with running_simulator(auto_advance=False, tag_rule=rule) as sim:
        await start(http, sim, "c1")
        await start(http, sim, "c2")
        await sim.finish("c2")
        assert sim.status_of("c2")["result"]["tags"] == "Custom"
    assert seen == [("c1", 1), ("c2", 2)]
