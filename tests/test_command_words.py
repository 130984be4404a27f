"""Command names and descriptions, as the real tree syncs them (bot/app/command_words.py).

English in en.toml must equal the code's own words, or translators would translate text the bot
no longer shows; every other language file must give names Discord accepts (the sync of every
command fails on one bad name), unique among their siblings.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.app.chatsight_bot import EXTENSIONS, ChatsightBot
from bot.app.command_words import (
    CatalogueTranslator,
    choice_key,
    command_ids,
    command_key,
    option_key,
)
from bot.config import Settings
from bot.language.catalogue import ENGLISH, LANGUAGES, entries, language_of

# Discord's rule for slash command and option names (docs: Application Commands, Naming).
SLASH_NAME = re.compile(r"^[-_\w]{1,32}$")
# A command named in an entry, as the language layer recognises it (bot/language/catalogue.py).
COMMAND_SPAN = re.compile(r"`/([^`]+)`")
ContextMenu = app_commands.ContextMenu
Command = app_commands.Command[Any, ..., Any] | app_commands.Group


@pytest.fixture
async def tree() -> AsyncIterator[app_commands.CommandTree[discord.Client]]:
    """The tree exactly as the bot builds it: every extension loaded, no connection made."""
    async with ChatsightBot(Settings(), run_core=False) as bot:
        for extension in EXTENSIONS:
            await bot.load_extension(extension)
        await bot.tree.set_translator(CatalogueTranslator())
        yield bot.tree


def _slash_commands(tree: app_commands.CommandTree[discord.Client]) -> Iterator[Command]:
    yield from tree.walk_commands(type=discord.AppCommandType.chat_input)


def code_words(tree: app_commands.CommandTree[discord.Client]) -> dict[str, str]:
    """Every name and description the commands carry in code, by the key the translator asks
    for."""
    words: dict[str, str] = {}
    for command in _slash_commands(tree):
        name = command.qualified_name
        words[command_key(name, "name")] = command.name
        words[command_key(name, "description")] = command.description
        if isinstance(command, app_commands.Group):
            continue
        for parameter in command.parameters:
            words[option_key(name, parameter.name, "name")] = parameter.display_name
            words[option_key(name, parameter.name, "description")] = parameter.description
            for choice in parameter.choices:
                words[choice_key(choice.value)] = choice.name
    for menu in tree.get_commands(type=discord.AppCommandType.message):
        words[command_key(menu.qualified_name, "name")] = menu.name
    return words


async def test_english_holds_the_code_words_exactly(
    tree: app_commands.CommandTree[discord.Client],
) -> None:
    english = {k: v for k, v in entries(ENGLISH).items() if k.startswith("commands.")}
    assert english == code_words(tree)


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        (discord.Locale.american_english, "en"),
        (discord.Locale.british_english, "en"),
        (discord.Locale.german, "de"),
        (discord.Locale.french, "fr"),
        (discord.Locale.spain_spanish, "es"),
        (discord.Locale.latin_american_spanish, "es"),
        (discord.Locale.brazil_portuguese, "pt-BR"),
        (discord.Locale.polish, "pl"),
        (discord.Locale.russian, "ru"),
        (discord.Locale.japanese, "ja"),
        (discord.Locale.chinese, "en"),
    ],
)
def test_each_discord_locale_reads_in_its_catalogue_language(
    locale: discord.Locale, language: str
) -> None:
    assert language_of(locale) == language


async def _payloads(tree: app_commands.CommandTree[discord.Client]) -> list[dict[str, Any]]:
    translator = tree.translator
    assert translator is not None
    return [await c.get_translated_payload(tree, translator) for c in tree.get_commands()]


def _name_problem(name: str, *, menu: bool) -> str | None:
    if menu:
        return None if 1 <= len(name) <= 32 else "a menu's name is 1 to 32 characters"
    if not SLASH_NAME.match(name):
        return "not 1 to 32 letters, digits, - or _"
    return None if name == name.lower() else "not lowercase"


def _problems(item: dict[str, Any], where: str, *, menu: bool = False) -> Iterator[str]:
    for locale, name in (item.get("name_localizations") or {}).items():
        problem = _name_problem(name, menu=menu)
        if problem:
            yield f"{where} in {locale}: {name!r} is {problem}"
    for locale, text in (item.get("description_localizations") or {}).items():
        if not 1 <= len(text) <= 100:
            yield f"{where} description in {locale} is not 1 to 100 characters"
    siblings = item.get("options") or []
    for locale in discord.Locale:
        names = [
            (option.get("name_localizations") or {}).get(locale.value, option["name"])
            for option in siblings
        ]
        if len(names) != len(set(names)):
            yield f"{where}'s options in {locale.value} share a name: {sorted(names)}"
    for option in siblings:
        yield from _problems(option, f"{where} {option['name']}")
    for choice in item.get("choices") or []:
        for locale, name in (choice.get("name_localizations") or {}).items():
            if not 1 <= len(name) <= 100:
                yield f"{where} choice {choice['value']} in {locale} is not 1 to 100 characters"


async def test_every_translated_name_is_one_discord_accepts(
    tree: app_commands.CommandTree[discord.Client],
) -> None:
    """Whichever language files exist now: each is held to Discord's rules as it arrives."""
    payloads = await _payloads(tree)
    problems = [
        p for item in payloads for p in _problems(item, item["name"], menu=item["type"] != 1)
    ]
    for kind in (1, 3):
        top = [item for item in payloads if item["type"] == kind]
        for locale in discord.Locale:
            names = [
                (item["name_localizations"] or {}).get(locale.value, item["name"]) for item in top
            ]
            if len(names) != len(set(names)):
                problems.append(f"top-level commands in {locale.value} share a name")
    assert problems == []


async def test_every_language_reaches_discord_and_english_keeps_the_code_words(
    tree: app_commands.CommandTree[discord.Client],
) -> None:
    delivered = [lang for lang in LANGUAGES if lang != ENGLISH]
    payloads = {item["name"]: item for item in await _payloads(tree)}
    chatsight = payloads["chatsight"]
    for language in delivered:
        localized = entries(language).get(command_key("chatsight", "name"))
        if localized is not None:
            assert chatsight["name_localizations"][_discord_locale(language)] == localized
    assert "en-US" not in chatsight["name_localizations"]
    assert "en-GB" not in chatsight["name_localizations"]


def _discord_locale(language: str) -> str:
    return {"es": "es-ES"}.get(language, language)


async def test_entries_name_commands_by_their_english_qualified_name(
    tree: app_commands.CommandTree[discord.Client],
) -> None:
    """A span naming a command alone becomes its mention only under the English name the sync
    reports; one with options must at least start with a command a member can find."""
    qualified = {command.qualified_name for command in _slash_commands(tree)}
    top_level = {command.name for command in tree.get_commands()}
    problems = [
        f"{language} {key}: `/{span}`"
        for language in LANGUAGES
        for key, text in entries(language).items()
        if not key.startswith("commands.")
        for span in COMMAND_SPAN.findall(text)
        if span.split(" ")[0] not in top_level
        or (not any(mark in span for mark in ":[…") and span not in qualified)
    ]
    assert problems == []


async def test_command_ids_map_every_slash_path_to_its_top_level_id(
    tree: app_commands.CommandTree[discord.Client],
) -> None:
    # What tree.sync() returns: each command as sent, with the id Discord gave it (a menu has
    # no description).
    stored = [
        {"description": "", **payload, "id": str(number), "application_id": "1", "version": "1"}
        for number, payload in enumerate(await _payloads(tree), start=100)
    ]
    synced = [app_commands.AppCommand(data=data, state=None) for data in stored]  # type: ignore[arg-type]
    ids = command_ids(synced)
    by_name = {command.name: command.id for command in synced}
    runnable = {
        command.qualified_name
        for command in _slash_commands(tree)
        if not isinstance(command, app_commands.Group)
    }
    assert set(ids) == runnable
    assert "chatsight-config" not in ids  # a group runs nothing: a mention of it would not
    assert ids["chatsight-config alerts channel"] == by_name["chatsight-config"]
    assert ids["chatsight help"] == by_name["chatsight"]
    assert ids["tag"] == by_name["tag"]
    assert "Tag stream" not in ids
