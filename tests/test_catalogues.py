"""Every language says everything English says, with the same placeholders: a member reading
German never meets an English sentence left behind, or a KeyError where a count should be."""

from __future__ import annotations

import string

import pytest

from bot.language.catalogue import ENGLISH, LANGUAGES, entries, language_of


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
