"""Command names and descriptions in the member's language: the tree's ``Translator``.

discord.py asks the translator for every name and description of every command, option and
choice, once per Discord locale, when the commands are synced; Discord then shows each member
the ones for their client's locale. The catalogue key comes from what is being translated (the
``TranslationContext``), so no cog has to wrap its strings in ``locale_str``:

- ``commands."<qualified name>".name`` and ``.description`` (``/chatsight-config alerts
  window`` is ``commands."chatsight-config alerts window"``; the "Tag stream" menu is
  ``commands."Tag stream"``);
- ``commands."<qualified name>".options.<parameter>.name`` and ``.description``;
- ``commands.choices.<value>`` for a choice, whichever command offers it.

English keeps the code's own words (the translator answers None), and en.toml holds them only
as the key source translators follow; tests/test_command_words.py keeps the two equal.
"""

from __future__ import annotations

from collections.abc import Iterable

from discord import AppCommandType, Locale, app_commands
from discord.app_commands import TranslationContextLocation as Where

from bot.language.catalogue import ENGLISH, entries, language_of

SECTION = "commands"
DESCRIPTIONS = frozenset(
    {Where.command_description, Where.group_description, Where.parameter_description}
)


def command_key(qualified_name: str, part: str) -> str:
    """``name`` or ``description`` of a command, group or context menu."""
    return f"{SECTION}.{qualified_name}.{part}"


def option_key(qualified_name: str, parameter: str, part: str) -> str:
    return f"{SECTION}.{qualified_name}.options.{parameter}.{part}"


def choice_key(value: object) -> str:
    return f"{SECTION}.choices.{value}"


def context_key(context: app_commands.TranslationContextTypes) -> str | None:
    """The catalogue key for what discord.py is translating; None for what we do not word
    (a free-form ``locale_str`` outside a command)."""
    data = context.data
    part = "description" if context.location in DESCRIPTIONS else "name"
    if isinstance(data, app_commands.Parameter):
        return option_key(data.command.qualified_name, data.name, part)
    if isinstance(data, app_commands.Choice):
        return choice_key(data.value)
    if isinstance(data, app_commands.Command | app_commands.Group | app_commands.ContextMenu):
        return command_key(data.qualified_name, part)
    return None


def command_ids(synced: Iterable[app_commands.AppCommand]) -> dict[str, int]:
    """Every qualified name of a synced slash command a member can run (``tag``, ``chatsight
    history``, ``chatsight-config alerts channel``) with the id of its top-level command, the
    pair a command mention (``</name:id>``) is made of. A group (``chatsight-config``) runs
    nothing, so it is never mentioned; nor are context menus, which are not typed."""
    ids: dict[str, int] = {}

    def runnable(
        item: app_commands.AppCommand | app_commands.AppCommandGroup, name: str, top: int
    ) -> None:
        groups = [o for o in item.options if isinstance(o, app_commands.AppCommandGroup)]
        if not groups:
            ids[name] = top
        for group in groups:
            runnable(group, group.qualified_name, top)

    for command in synced:
        if command.type is AppCommandType.chat_input:
            runnable(command, command.name, command.id)
    return ids


class CatalogueTranslator(app_commands.Translator):
    """Every catalogue language but English, for the Discord locales that read in it
    (``language_of``: es-ES and es-419 are Spanish); None where a file lacks a key, so Discord
    shows the English name rather than an empty one."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        language = language_of(locale)
        key = context_key(context)
        if language == ENGLISH or key is None:
            return None
        return entries(language).get(key)
