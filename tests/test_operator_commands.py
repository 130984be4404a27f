"""``chatsight-bot invite`` and ``backup`` as an operator runs them: real processes, the Discord
emulator on loopback, a database the bot is writing to."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import discord
import pytest

from bot.app.channel_access import POSTING
from bot.app.invite import FEATURE_PERMISSIONS
from bot.store.sqlite import SQLiteStore
from standins.discord import DiscordEmulator
from standins.loopback import free_port
from tests.store.tag_requests import request
from tests.test_cli import run


def env_for_process(tmp_path: Path, **settings: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "LOG_LEVEL": "WARNING",
        **settings,
    }


@pytest.fixture
async def emu() -> AsyncIterator[DiscordEmulator]:
    async with DiscordEmulator() as emulator:
        yield emulator


async def test_invite_asks_for_what_the_features_use_and_names_each(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    app = emu.create_bot("Chatsight")
    env = env_for_process(tmp_path, DISCORD_TOKEN=app.token, DISCORD_API_BASE=emu.api_base)
    code, out, err = await run(env, "invite", cwd=tmp_path)
    assert code == 0, err
    url = next(line for line in out.splitlines() if line.startswith("https://"))
    query = parse_qs(urlsplit(url).query)
    assert query["client_id"] == [str(app.application_id)]
    assert query["scope"] == ["bot applications.commands"]
    granted = discord.Permissions(int(query["permissions"][0]))
    assert not granted.administrator
    names = {
        "View Channel": granted.view_channel,
        "Send Messages": granted.send_messages,
        "Send Messages in Threads": granted.send_messages_in_threads,
        "Embed Links": granted.embed_links,
        "Attach Files": granted.attach_files,
        "Read Message History": granted.read_message_history,
        "Add Reactions": granted.add_reactions,
    }
    assert all(names.values())
    # Nothing beyond the named ones, and each named on a line of its own.
    assert granted.value == sum(
        getattr(discord.Permissions, flag).flag for flag, _n, _w in FEATURE_PERMISSIONS
    )
    for name in names:
        assert any(line.strip().startswith(name) for line in out.splitlines()), name
    assert app.token not in out + err
    # The posting checks ask for nothing the invite left out.
    assert all(getattr(granted, flag) for flag in POSTING)


async def test_invite_with_a_refused_token_is_one_line(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    env = env_for_process(tmp_path, DISCORD_TOKEN="not-a-token", DISCORD_API_BASE=emu.api_base)
    code, out, err = await run(env, "invite", cwd=tmp_path)
    assert code == 2
    assert err.strip() == "error: Discord rejected DISCORD_TOKEN"
    assert "not-a-token" not in out + err


async def test_a_backup_taken_while_the_bot_writes_holds_every_committed_row(
    tmp_path: Path,
) -> None:
    database = tmp_path / "bot.db"
    store = SQLiteStore(database)  # held as the running bot holds it: exclusively
    await store.open()
    committed: list[str] = []
    stop = asyncio.Event()

    async def write() -> None:
        n = 0
        while not stop.is_set():
            convo = f"c{n:06d}"
            await store.create_session(request(convo), None)
            committed.append(convo)
            n += 1

    writer = asyncio.create_task(write())
    try:
        while len(committed) < 200:
            await asyncio.sleep(0.01)
        before = set(committed)
        env = env_for_process(tmp_path, DATABASE_URL=f"sqlite:///{database}")
        code, out, err = await run(env, "backup", str(tmp_path / "copy.db"), cwd=tmp_path)
        after = len(committed)
    finally:
        stop.set()
        await writer
        await store.close()
    assert code == 0, err
    assert "Backed up the database" in out
    with closing(sqlite3.connect(tmp_path / "copy.db")) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        held = {row[0] for row in copy.execute("SELECT convo_id FROM sessions")}
    assert before <= held
    # Consistent as of one commit: a prefix of the writes, nothing invented.
    assert held == set(committed[: len(held)])
    assert len(held) <= after

    code, _, err = await run(env, "backup", str(tmp_path / "copy.db"), cwd=tmp_path)
    assert code == 2
    assert "exists; give a new file name" in err


async def test_doctor_exits_1_naming_each_problem_without_its_secret(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    env = env_for_process(
        tmp_path,
        DISCORD_TOKEN="tok-not-a-real-one",
        DISCORD_API_BASE=emu.api_base,
        CHATSIGHT_API_KEY="key-unchecked",
        CHATSIGHT_API_BASE=f"http://127.0.0.1:{free_port()}",
    )
    code, out, err = await run(env, "doctor", cwd=tmp_path)
    assert code == 1, err
    assert "ok    database: sqlite: migrated and writable" in out
    assert "FAIL  Discord token: Discord refused DISCORD_TOKEN" in out
    assert "FAIL  Chatsight key: could not be checked" in out
    assert out.rstrip().endswith("2 problem(s) found; see the fixes above")
    assert "tok-not-a-real-one" not in out + err
    assert "key-unchecked" not in out + err
