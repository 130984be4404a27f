from __future__ import annotations

import uuid

from bot.domain.convo_ids import cli_convo_id, discord_convo_id
from bot.domain.tags import parse_tags


def test_tags_are_trimmed_deduplicated_in_order() -> None:
    assert parse_tags("Food, Fun, ,Food,Outdoors ,") == ("Food", "Fun", "Outdoors")
    assert parse_tags("Fun,Relaxed") == parse_tags("Fun, Relaxed")
    assert parse_tags("") == ()


def test_convo_ids_are_uuids_stable_per_trigger_and_distinct_otherwise() -> None:
    first = discord_convo_id(1, 2, 3)
    assert uuid.UUID(first).version == 5
    assert discord_convo_id(1, 2, 3) == first
    assert len({first, discord_convo_id(1, 2, 4), discord_convo_id(1, 3, 3)}) == 3
    assert cli_convo_id("n") != cli_convo_id("m")
    assert cli_convo_id("n") == cli_convo_id("n")
