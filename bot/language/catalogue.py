"""The catalogues: ``catalogues/<language>.toml``, read once, one ``Words`` per language.

A TOML table per area (``[results]``, ``[refusals]``) keeps a translator's file in the same order
as the English one; nested tables flatten to dotted keys (``results.title``). Placeholders are
``str.format`` fields by name, so a translation may reorder them.

Entries name a command as a code span with its English name ("`/chatsight history`"), the one
spelling every catalogue shares; once the app knows the synced commands' ids
(``know_commands``), such a span becomes Discord's command mention, which each reader's client
shows under the name it has in their language.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CATALOGUES = Path(__file__).with_name("catalogues")

# The catalogue languages, English first: it is the source every other file follows.
LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es", "pt-BR", "pl", "ru", "ja")
ENGLISH = "en"

# Discord's locales (en-US, es-419, ...) that read in a catalogue language other than their own
# name; every other locale is a language's own name (de, pt-BR) or one we do not speak.
_LOCALE_LANGUAGE: dict[str, str] = {
    "en-US": "en",
    "en-GB": "en",
    "es-ES": "es",
    "es-419": "es",
}


def language_of(locale: object) -> str:
    """The catalogue language for a Discord locale (a ``discord.Locale`` or its string value);
    English for one we do not speak, or none."""
    value = str(getattr(locale, "value", locale) or "")
    language = _LOCALE_LANGUAGE.get(value, value)
    return language if language in LANGUAGES else ENGLISH


def _flatten(table: Mapping[str, object], prefix: str = "") -> dict[str, str]:
    entries: dict[str, str] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            entries.update(_flatten(value, f"{key}."))
        elif isinstance(value, str):
            entries[key] = value
        else:
            raise ValueError(f"catalogue entry {key} is not text")
    return entries


@cache
def entries(language: str) -> Mapping[str, str]:
    """One language's entries, by dotted key, exactly as its file holds them."""
    with (CATALOGUES / f"{language}.toml").open("rb") as file:
        return _flatten(tomllib.load(file))


# A code span naming a command with nothing after it: "`/chatsight history`", not the
# "`/tag url:<stream> [seed]`" of a help line, which shows options a mention cannot.
_COMMAND_SPAN = re.compile(r"`/([^`]+)`")

_command_ids: dict[str, int] = {}


def know_commands(ids: Mapping[str, int]) -> None:
    """The ids of the synced commands, by qualified name (``chatsight-config alerts channel``),
    each that of its top-level command, as a command mention (``</name:id>``) needs. A module
    registry rather than a parameter of every ``Words``: one application has one set of
    commands, whichever language reads them. Until it is called, entries read as written."""
    _command_ids.clear()
    _command_ids.update(ids)


def _mention(span: re.Match[str]) -> str:
    name = span.group(1)
    command_id = _command_ids.get(name)
    return span.group(0) if command_id is None else f"</{name}:{command_id}>"


def _with_mentions(text: str) -> str:
    """``text`` with each code span that is exactly a known command as that command's mention;
    options and names we did not sync stay code spans."""
    if not _command_ids or "`/" not in text:
        return text
    return _COMMAND_SPAN.sub(_mention, text)


@dataclass(frozen=True)
class Words:
    """The text for each key in one language; a key its file lacks reads in English, so a
    catalogue a release behind shows a sentence, never an error (the parity test keeps them
    level)."""

    language: str

    def __call__(self, key: str, /, **params: object) -> str:
        text = entries(self.language).get(key)
        if text is None:
            text = entries(ENGLISH)[key]
        # The entry, not the formatted text: a placeholder's value (a tag, a title) is never a
        # command reference of ours.
        text = _with_mentions(text)
        return text.format(**params) if params else text


@cache
def words_for(locale: object) -> Words:
    """The words for a Discord locale (see ``language_of``)."""
    return Words(language_of(locale))


ENGLISH_WORDS = Words(ENGLISH)
