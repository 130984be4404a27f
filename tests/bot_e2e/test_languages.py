"""A member's language, end to end: the command names Discord shows them come from the sync's
``name_localizations``, and a private answer is in their client's language; a language the bot
does not speak reads in English."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.language.catalogue import entries
from tests.bot_e2e.harness import running_world
from tests.bot_e2e.tag_steps import private_embed, private_reply, slash, tag

# Discord's locales for the seven languages besides English (Spanish is two of them).
TRANSLATED_LOCALES = {"de", "fr", "es-ES", "es-419", "pt-BR", "pl", "ru", "ja"}


def _synced(commands: list[dict[str, Any]], name: str) -> dict[str, Any]:
    """A command as the emulator stored it from the bot's sync."""
    return next(c for c in commands if c["name"] == name)


async def test_a_german_member_sees_german_commands_and_a_german_refusal(tmp_path: Path) -> None:
    german = entries("de")
    async with running_world(tmp_path) as world:
        synced = world.emu.commands(world.app.application_id, world.guild)
        command = _synced(synced, "tag")
        assert set(command["name_localizations"]) == TRANSLATED_LOCALES
        assert command["name_localizations"]["de"] == german["commands.tag.name"]
        assert command["description_localizations"]["de"] == german["commands.tag.description"]
        options = {o["name"]: o for o in command["options"]}
        assert options["seed"]["name_localizations"]["de"] == "satz"
        menu = _synced(synced, "Tag stream")
        assert menu["name_localizations"]["de"] == "Stream markieren"

        world.emu.set_user_locale(world.member, "de")
        interaction = await tag(world, "ftp://x")
        assert await private_reply(world, interaction) == german["refusals.invalid_stream_url"]


async def test_a_command_named_in_a_german_answer_is_a_mention_of_the_synced_command(
    tmp_path: Path,
) -> None:
    """Discord shows a mention under the reader's own name for the command (``/chatsight
    hilfe``), so the German help names each command by the id the sync gave its top-level
    command, not by the English code span the catalogue writes."""
    german = entries("de")
    async with running_world(tmp_path) as world:
        synced = world.emu.commands(world.app.application_id, world.guild)
        chatsight = _synced(synced, "chatsight")["id"]
        world.emu.set_user_locale(world.member, "de")
        embed = await private_embed(world, await slash(world, "chatsight help"))
        lines = embed["description"].splitlines()
        for name in ("chatsight help", "chatsight history"):
            key = f"discovery.help.line.{name.split()[1]}"
            mentioned = german[key].replace(f"`/{name}`", f"</{name}:{chatsight}>")
            assert mentioned != german[key]
            assert mentioned in lines
        # With options the line stays a code span: a mention cannot carry them.
        assert german["discovery.help.line.tag"] in lines


async def test_a_member_in_a_language_the_bot_does_not_speak_reads_english(
    tmp_path: Path,
) -> None:
    async with running_world(tmp_path) as world:
        world.emu.set_user_locale(world.member, "zh-CN")
        await world.emu.set_guild_locale(world.guild, "de")  # the server's language is not theirs
        interaction = await tag(world, "ftp://x")
        assert (
            await private_reply(world, interaction) == entries("en")["refusals.invalid_stream_url"]
        )
