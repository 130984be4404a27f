"""Discord's locales, and a command sync's names and their localisations held to Discord's rules.

A bulk overwrite (``PUT .../commands``) is refused whole, 400 "Invalid Form Body" (50035), when
any command, option or choice breaks a rule, with the ``errors`` tree naming where
(``0.options.1.name_localizations.xx._errors``), as Discord does
(docs/discord-notes.md, Localisation; the OpenAPI schema's ``AvailableLocalesEnum`` and the
``ApplicationCommand*Option`` schemas). The locales are copied here: nothing under ``../shared``
is read at run time.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import field_error
from .model import JSON

# AvailableLocalesEnum, in the schema's order.
LOCALES: frozenset[str] = frozenset(
    [
        "ar",
        "bg",
        "cs",
        "da",
        "de",
        "el",
        "en-GB",
        "en-US",
        "es-419",
        "es-ES",
        "fi",
        "fr",
        "he",
        "hi",
        "hr",
        "hu",
        "id",
        "it",
        "ja",
        "ko",
        "lt",
        "nl",
        "no",
        "pl",
        "pt-BR",
        "ro",
        "ru",
        "sv-SE",
        "th",
        "tr",
        "uk",
        "vi",
        "zh-CN",
        "zh-TW",
    ]
)
DEFAULT_LOCALE = "en-US"

CHAT_INPUT = 1
SUBCOMMAND, SUBCOMMAND_GROUP = 1, 2
NAME_MAX, DESCRIPTION_MAX, CHOICE_NAME_MAX = 32, 100, 100
# A slash command's or an option's name: Discord's ``^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$``,
# and lowercase where a letter has a lowercase form.
SLASH_NAME = re.compile(r"^[-\w\u0900-\u097f\u0e00-\u0e7f]{1,32}$")


def check_locale(locale: str) -> str:
    """A control call's locale, refused unless Discord knows it."""
    if locale not in LOCALES:
        raise ValueError(f"{locale!r} is not a Discord locale")
    return locale


def _bad_length(low: int, high: int) -> dict[str, Any]:
    return field_error("BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")


def _name_error(name: object, *, slash: bool, limit: int = NAME_MAX) -> dict[str, Any] | None:
    if not isinstance(name, str) or not 1 <= len(name) <= limit:
        return _bad_length(1, limit)
    if slash and (not SLASH_NAME.match(name) or name != name.lower()):
        return field_error("APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
    return None


def _text_error(text: object, limit: int) -> dict[str, Any] | None:
    if not isinstance(text, str) or not 1 <= len(text) <= limit:
        return _bad_length(1, limit)
    return None


def _localization_errors(localizations: object, check: Any) -> dict[str, Any] | None:
    """``name_localizations`` or ``description_localizations``: null, or an object from Discord
    locales to text each ``check`` accepts."""
    if localizations is None:
        return None
    if not isinstance(localizations, dict):
        return field_error("DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
    errors: dict[str, Any] = {}
    for locale, text in localizations.items():
        if locale not in LOCALES:
            errors[str(locale)] = field_error(
                "ENUM_TYPE_COERCE", f'Value "{locale}" is not a valid enum value.'
            )
        elif (problem := check(text)) is not None:
            errors[locale] = problem
    return errors or None


def _item_errors(item: JSON, *, slash: bool, described: bool) -> dict[str, Any]:
    """A command's or an option's own name, description and their localisations."""
    errors: dict[str, Any] = {}

    def name_check(name: object) -> dict[str, Any] | None:
        return _name_error(name, slash=slash)

    def description_check(text: object) -> dict[str, Any] | None:
        return _text_error(text, DESCRIPTION_MAX)

    found = {
        "name": name_check(item.get("name")),
        "name_localizations": _localization_errors(item.get("name_localizations"), name_check),
        "description": description_check(item.get("description")) if described else None,
        "description_localizations": _localization_errors(
            item.get("description_localizations"), description_check
        ),
    }
    errors.update({key: problem for key, problem in found.items() if problem is not None})
    return errors


def _choice_errors(choice: JSON) -> dict[str, Any]:
    def check(name: object) -> dict[str, Any] | None:
        return _text_error(name, CHOICE_NAME_MAX)

    found = {
        "name": check(choice.get("name")),
        "name_localizations": _localization_errors(choice.get("name_localizations"), check),
    }
    return {key: problem for key, problem in found.items() if problem is not None}


def _option_errors(option: JSON) -> dict[str, Any]:
    errors = _item_errors(option, slash=True, described=True)
    nested = _numbered(option.get("options") or [], _option_errors)
    if nested:
        errors["options"] = nested
    if option.get("type") not in (SUBCOMMAND, SUBCOMMAND_GROUP):
        choices = _numbered(option.get("choices") or [], _choice_errors)
        if choices:
            errors["choices"] = choices
    return errors


def _numbered(items: list[JSON], check: Any) -> dict[str, Any]:
    return {str(index): problem for index, item in enumerate(items) if (problem := check(item))}


def command_errors(command: JSON) -> dict[str, Any]:
    """What is wrong with one command of a bulk overwrite, by field; empty when nothing is.
    Only slash commands are described and held to the slash naming rule; a context menu's name
    is any 1 to 32 characters."""
    slash = int(command.get("type", CHAT_INPUT)) == CHAT_INPUT
    errors = _item_errors(command, slash=slash, described=slash)
    if slash:
        options = _numbered(command.get("options") or [], _option_errors)
        if options:
            errors["options"] = options
    return errors
