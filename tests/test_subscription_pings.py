"""Who a heard stream pings and in which messages: the rules behind a subscription ping."""

from __future__ import annotations

from bot.domain.records import Origin, SessionRecord, SessionSource, SessionState
from bot.domain.subscriptions import (
    CONTENT_LIMIT,
    USERS_PER_MESSAGE,
    PingBatch,
    PingedMember,
    heard_keys,
    ping_content,
    ping_messages,
    ping_scope,
)
from bot.domain.tags import TagResult

SHORT_IDS = list(range(1, 251))  # "<@7>": the 100 users a message lists decide
SNOWFLAKES = [1_578_103_613_006_413_827 + n for n in range(250)]  # 22 characters a mention


def session(convo_id: str = "c1", follow_id: int | None = None) -> SessionRecord:
    return SessionRecord(
        convo_id,
        "https://s.test/x",
        SessionSource.AUTOTAG,
        SessionState.COMPLETED,
        1,
        1,
        Origin(1, 2),
        result=TagResult(("Violence", "Fun")),
        follow_id=follow_id,
    )


def test_short_mentions_fill_messages_of_100_users() -> None:
    messages = ping_messages(reversed(SHORT_IDS))
    assert [len(m) for m in messages] == [100, 100, 50]
    assert [u for m in messages for u in m] == SHORT_IDS


def test_long_mentions_fill_messages_of_2000_characters() -> None:
    messages = ping_messages(SNOWFLAKES)
    assert all(len(ping_content(m)) <= CONTENT_LIMIT for m in messages)
    assert all(len(m) <= USERS_PER_MESSAGE for m in messages)
    # 87 mentions of 22 characters and 86 spaces are 1,999 characters; one more would not fit.
    assert [len(m) for m in messages] == [87, 87, 76]


def test_nobody_makes_no_message_and_a_member_is_listed_once() -> None:
    assert ping_messages([]) == []
    assert ping_messages([5, 5, 3]) == [(3, 5)]


def test_a_member_is_pinged_once_per_follow_or_session() -> None:
    assert ping_scope(session("a", follow_id=7)) == ping_scope(session("b", follow_id=7))
    assert ping_scope(session("a")) != ping_scope(session("b"))
    assert heard_keys(session()) == {"violence": "Violence", "fun": "Fun"}


def test_a_batch_knows_which_of_its_messages_were_posted() -> None:
    batch = PingBatch("c1", 1, ("Fun",), (PingedMember(1, 10), PingedMember(2)))
    assert batch.messages() == [(1, 2)]
    assert batch.posted((1,)) == 10
    assert batch.posted((1, 2)) is None
