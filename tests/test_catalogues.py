"""Every language says everything English says, with the same placeholders: a member reading
German never meets an English sentence left behind, or a KeyError where a count should be."""

from __future__ import annotations

import string

import pytest

from bot.language.catalogue import (
    ENGLISH,
    LANGUAGES,
    Words,
    entries,
    know_commands,
    language_of,
)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != ENGLISH])
def test_each_language_holds_every_english_key_and_no_other(language: str) -> None:
    english, other = entries(ENGLISH), entries(language)
    assert sorted(set(english) - set(other)) == [], f"{language} lacks these keys"
    assert sorted(set(other) - set(english)) == [], f"{language} holds keys English lacks"


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != ENGLISH])
def test_each_translation_keeps_the_english_placeholders(language: str) -> None:
    english, other = entries(ENGLISH), entries(language)
    differing = {
        key: (sorted(_fields(english[key])), sorted(_fields(text)))
        for key, text in other.items()
        if key in english and _fields(text) != _fields(english[key])
    }
    assert differing == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_entry_is_empty(language: str) -> None:
    assert [key for key, text in entries(language).items() if not text.strip()] == []


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("en-US", "en"),
        ("en-GB", "en"),
        ("de", "de"),
        ("es-419", "es"),
        ("es-ES", "es"),
        ("pt-BR", "pt-BR"),
        ("ja", "ja"),
        ("zh-CN", "en"),
        (None, "en"),
    ],
)
def test_a_discord_locale_reads_in_its_language_or_english(
    locale: str | None, language: str
) -> None:
    assert language_of(locale) == language


def test_a_known_command_in_a_code_span_becomes_its_mention() -> None:
    english = Words(ENGLISH)
    know_commands({"chatsight": 11, "chatsight help": 11, "chatsight history": 11, "tag": 22})
    # A known command alone in its span: Discord shows the mention in the reader's language.
    assert english("discovery.help.line.help") == "</chatsight help:11>: this list"
    assert english("cogs.history.not_yours") == (
        "These buttons belong to the member who asked. Run </chatsight history:11> yourself."
    )
    assert Words("de")("discovery.help.line.help").startswith("</chatsight help:11>: ")
    # A span with options stays code: a mention cannot carry them.
    assert english("discovery.help.line.tag") == entries(ENGLISH)["discovery.help.line.tag"]
    # A command the sync did not report (here chatsight-config) stays code.
    assert "`/chatsight-config`" in english("config_health.notice_kept")


def test_until_the_commands_are_known_entries_read_as_written() -> None:
    key = "discovery.help.line.help"
    assert Words(ENGLISH)(key) == entries(ENGLISH)[key]
    assert Words("de")(key) == entries("de")[key]
