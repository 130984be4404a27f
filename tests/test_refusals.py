"""Every refusal a rule raises has words for the member, and the words carry its data."""

from __future__ import annotations

import dataclasses

import pytest

from bot.domain import refusals, stream_refusals
from bot.language.catalogue import ENGLISH_WORDS
from bot.rendering.refusals import refusal_text

SAMPLE: dict[object, object] = {
    "int": 7,
    "float": 2.5,
    "int | None": None,
    "tuple[str, ...]": ("send_messages",),
    "str": "twitch.tv",
    "tuple[int | None, int, int] | None": (1, 2, 3),
}


def _raised(kind: type[refusals.Refusal]) -> list[type[refusals.Refusal]]:
    """The refusals a rule can raise: those no other refusal specialises (a family's base, such
    as ``StreamRefusal``, is only caught)."""
    below = kind.__subclasses__()
    return [leaf for sub in below for leaf in _raised(sub)] if below else [kind]


def every_refusal() -> list[refusals.Refusal]:
    made = []
    for kind in _raised(refusals.Refusal):
        if dataclasses.is_dataclass(kind):
            made.append(kind(**{f.name: SAMPLE[f.type] for f in dataclasses.fields(kind)}))
        else:
            made.append(kind())
    return made


@pytest.mark.parametrize("refusal", every_refusal(), ids=lambda r: type(r).__name__)
def test_every_refusal_is_worded(refusal: refusals.Refusal) -> None:
    text = refusal_text(refusal, words=ENGLISH_WORDS)
    assert text.endswith(".") and 10 < len(text) < 200


def test_the_words_carry_the_data() -> None:
    assert "in 3 s" in refusal_text(refusals.TooSoon(2.6), words=ENGLISH_WORDS)
    assert "already has 5 tagging sessions" in refusal_text(
        refusals.ServerBusy(5), words=ENGLISH_WORDS
    )
    assert "[timeline](https://discord.com/channels/1/2/3)" in refusal_text(
        refusals.AlreadyFollowed((1, 2, 3)), words=ENGLISH_WORDS
    )
    assert "its timeline appears with its first sample" in refusal_text(
        refusals.AlreadyFollowed(None), words=ENGLISH_WORDS
    )
    assert "<@42> already acknowledged" in refusal_text(
        refusals.AlreadyAcknowledged(42), words=ENGLISH_WORDS
    )
    assert "I need Send Messages, Embed Links here" in refusal_text(
        refusals.MissingChannelPermissions(("send_messages", "embed_links")), words=ENGLISH_WORDS
    )
    assert refusal_text(
        refusals.MissingChannelPermissions(("read_message_history",), 9), words=ENGLISH_WORDS
    ) == (
        "I can't post in <#9>: I need Read Message History there (after an outage I read it,"
        " so that nothing is posted twice)."
    )
    assert "at most 2048 characters" in refusal_text(
        refusals.InvalidStreamUrl(2048), words=ENGLISH_WORDS
    )
    assert "http, https, rtmp or rtmps" in refusal_text(
        refusals.InvalidStreamUrl(), words=ENGLISH_WORDS
    )
    assert refusal_text(stream_refusals.StreamNotLive("twitch.tv"), words=ENGLISH_WORDS) == (
        "That stream is not live right now, or there is no such channel on twitch.tv."
    )
    assert "a web browser" in refusal_text(
        stream_refusals.NeedsWebBrowser("kick.com"), words=ENGLISH_WORDS
    )
    assert "no way to a stream on blog.example" in refusal_text(
        stream_refusals.NotAStreamLink("blog.example"), words=ENGLISH_WORDS
    )
    # A host is shown as plain text, whatever markup a link put in it.
    assert "on evil.example." in refusal_text(
        stream_refusals.StreamNotLive("evil*_.example`"), words=ENGLISH_WORDS
    )
