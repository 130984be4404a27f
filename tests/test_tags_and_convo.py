from __future__ import annotations

import uuid

from bot.domain.convo_ids import ConvoIds, Trigger, announced_position, cli_convo_id
from bot.domain.records import Origin
from bot.domain.tags import parse_tags


def test_tags_are_trimmed_deduplicated_in_order() -> None:
    assert parse_tags("Food, Fun, ,Food,Outdoors ,") == ("Food", "Fun", "Outdoors")
    assert parse_tags("Fun,Relaxed") == parse_tags("Fun, Relaxed")
    assert parse_tags("") == ()


def test_tags_lose_control_characters() -> None:
    assert parse_tags("Fu\x00n,\tRelaxed\x7f,\x1b,Fun") == ("Fun", "Relaxed")


def test_convo_ids_are_uuids_stable_per_trigger_and_distinct_otherwise() -> None:
    ids = ConvoIds(application_id=99)
    here = Origin(guild_id=1, channel_id=2, requester_id=5)
    first = ids.for_session(here, Trigger(3))
    assert uuid.UUID(first).version == 5
    # A retried request (same interaction) derives the same id; who asked does not enter it.
    assert ids.for_session(Origin(1, 2, requester_id=6), Trigger(3)) == first
    others = {
        ids.for_session(here, Trigger(4)),  # another interaction
        ids.for_session(Origin(1, 3), Trigger(3)),  # another channel
        ids.for_session(here, Trigger(3, position=1)),  # the second URL of a message
        ids.for_session(here, Trigger(3, round=2)),  # a re-tag after the dedupe window
        ids.for_session(here, Trigger(3), sample=1),  # a followed stream's first sample
        ids.for_session(here, Trigger(3), sample=2),
        ConvoIds(application_id=100).for_session(here, Trigger(3)),  # another installation
    }
    assert first not in others and len(others) == 7
    assert cli_convo_id("n") != cli_convo_id("m")
    assert cli_convo_id("n") == cli_convo_id("n")


def test_an_announced_streams_position_follows_the_stream_not_its_place_in_the_message() -> None:
    alice, bob = "https://twitch.tv/alice", "https://twitch.tv/bob"
    # Edited from "alice" to "bob alice": bob now holds the place alice had, yet each keeps its
    # own position (so its own convoId), and alice's is the one it had before.
    assert announced_position(alice) == announced_position(alice)
    assert announced_position(alice) != announced_position(bob)
    # PostgreSQL keeps a position in an INTEGER.
    assert all(0 <= announced_position(url) < 2**31 for url in (alice, bob))
