"""The ``chatsight-bot`` command as an operator runs it: a real process against the simulator."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import VARIABLES, Settings, load_settings
from bot.store import open_store
from standins.chatsight import ChatsightSimulator
from standins.loopback import free_port
from tests.streamlink_plugins import PLUGIN_DIR

CLI = str(Path(sys.executable).parent / "chatsight-bot")
STREAM = "https://streams.example/live?tags=Fun,Relaxed"


@pytest.fixture
async def sim() -> AsyncIterator[ChatsightSimulator]:
    async with ChatsightSimulator(provisioning_delay=0.05, running_delay=0.2) as simulator:
        yield simulator


def env_for(sim: ChatsightSimulator, tmp_path: Path, **extra: str) -> dict[str, str]:
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "CHATSIGHT_API_KEY": "sim-api-key",
        "CHATSIGHT_SHARED_SECRET": sim.shared_secret,
        "CHATSIGHT_API_BASE": sim.base_url,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "WEBHOOK_PORT": str(port),
        "METRICS_PORT": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "LOG_LEVEL": "WARNING",
        "STREAMLINK_PLUGIN_DIRS": PLUGIN_DIR,
    }
    env.update(extra)
    return {k: v for k, v in env.items() if v}


async def run(env: dict[str, str], *args: str, cwd: Path) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        CLI,
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_tag_json_through_the_webhook(sim: ChatsightSimulator, tmp_path: Path) -> None:
    code, out, err = await run(env_for(sim, tmp_path), "tag", STREAM, "--json", cwd=tmp_path)
    assert code == 0, err
    document = json.loads(out)
    assert document["state"] == "completed"
    assert document["tags"] == ["Fun", "Relaxed"]
    assert document["undocumentedTags"] is False
    assert set(document) == {"convoId", "state", "tags", "undocumentedTags"}
    assert [a.status for a in sim.webhook_attempts] == [200]


async def test_tag_polls_without_a_public_url(sim: ChatsightSimulator, tmp_path: Path) -> None:
    env = env_for(sim, tmp_path, PUBLIC_BASE_URL="")
    code, out, err = await run(env, "tag", STREAM, "--seed", "a pizza stream", cwd=tmp_path)
    assert code == 0, err
    assert "Tags: Fun, Relaxed" in out
    assert "polling" in err
    [created] = sim.requests_to("/stream/tag")
    assert "webhook" not in created.json()
    assert created.json()["seedSentence"] == "a pizza stream"


async def test_tag_failure_is_one_line_and_nonzero(sim: ChatsightSimulator, tmp_path: Path) -> None:
    env = env_for(sim, tmp_path, CHATSIGHT_API_KEY="wrong-key-123")
    code, out, err = await run(env, "tag", STREAM, cwd=tmp_path)
    assert code == 1
    assert err.strip().splitlines()[-1] == "error: Chatsight rejected the API key"
    assert "wrong-key-123" not in out + err


async def test_tag_of_a_link_with_no_stream_is_one_line_and_asks_nothing(
    sim: ChatsightSimulator, tmp_path: Path
) -> None:
    code, _, err = await run(
        env_for(sim, tmp_path), "tag", "http://127.0.0.1:9/about", cwd=tmp_path
    )
    assert code == 1
    assert err.strip().startswith("error: I know no way to a stream on 127.0.0.1:")
    assert "Traceback" not in err
    assert sim.requests_to("/stream/tag") == []


async def test_tag_times_out_with_exit_3(tmp_path: Path) -> None:
    async with ChatsightSimulator(auto_advance=False) as sim:
        env = env_for(sim, tmp_path, PUBLIC_BASE_URL="")
        code, _, err = await run(env, "tag", STREAM, "--timeout", "1.5", cwd=tmp_path)
    assert code == 3
    assert "no result for session" in err


async def test_check_config_names_what_is_wrong(tmp_path: Path) -> None:
    base = {"PATH": os.environ.get("PATH", "")}
    code, _, err = await run({**base, "WEBHOOK_PORT": "eighty"}, "check-config", cwd=tmp_path)
    assert code == 2
    assert "WEBHOOK_PORT: 'eighty' is not a port" in err
    code, _, err = await run(base, "check-config", cwd=tmp_path)
    assert code == 2
    assert "CHATSIGHT_API_KEY is missing" in err
    env = {**base, "CHATSIGHT_API_KEY": "key-abcdef", "DISCORD_TOKEN": "tok-abcdef"}
    code, out, err = await run(env, "check-config", cwd=tmp_path)
    assert code == 0, err
    assert "configuration OK" in out
    assert "key-abcdef" not in out
    assert "tok-abcdef" not in out
    shown_names = {line.split()[0] for line in out.splitlines() if line.split()}
    assert {name for name, _ in VARIABLES} <= shown_names


def test_every_setting_has_its_variable_shown_and_documented() -> None:
    """check-config lists every variable it validates, and .env.example explains each."""
    fields = {f.name for f in dataclasses.fields(Settings)}
    # A sample interval's minute, the identify spacing, the nonce's memory, a request's wait for
    # Discord's answer and switching pacing and packing off exist for tests and benchmarks only:
    # no variable sets them (Discord's own values and the bot's own behaviour hold in production).
    test_only = {
        "follow_minute_seconds",
        "identify_spacing_seconds",
        "nonce_trusted_seconds",
        "discord_request_timeout_seconds",
        "pace_and_pack",
    }
    assert {field for _, field in VARIABLES} == fields - test_only
    example = (Path(__file__).parent.parent / ".env.example").read_text()
    missing = [name for name, _ in VARIABLES if f"{name}=" not in example]
    assert not missing, f"not in .env.example: {missing}"


async def test_rotate_secret_keeps_the_secret_off_the_screen(
    sim: ChatsightSimulator, tmp_path: Path
) -> None:
    old = sim.shared_secret
    code, out, err = await run(env_for(sim, tmp_path), "rotate-secret", cwd=tmp_path)
    assert code == 0, err
    assert sim.shared_secret != old
    assert sim.shared_secret not in out + err
    assert "Rotated the shared secret" in out


async def test_status_of_an_unknown_session_says_so(
    sim: ChatsightSimulator, tmp_path: Path
) -> None:
    code, _, err = await run(env_for(sim, tmp_path), "status", "no-such-convo", cwd=tmp_path)
    assert code == 1
    assert "Chatsight does not know session no-such-convo" in err


async def test_one_off_commands_run_beside_the_bot_but_a_second_server_is_refused(
    sim: ChatsightSimulator, tmp_path: Path
) -> None:
    """SQLite serves one long-running process: `rotate-secret` still works while the bot runs,
    a second receiver is refused in one line that names the way out."""
    env = env_for(sim, tmp_path)
    running = open_store(load_settings(env, None))  # the bot, holding the database
    await running.open()
    try:
        code, _, err = await run(env, "rotate-secret", cwd=tmp_path)
        assert code == 0, err
        assert [secret for secret, _ in await running.shared_secrets()] == [sim.shared_secret]
        code, _, err = await run(env, "serve-webhooks", cwd=tmp_path)
        assert code == 2
        assert "another process already uses the SQLite database" in err
        assert "postgresql://" in err
        assert "Traceback" not in err
    finally:
        await running.close()


async def test_a_database_that_does_not_answer_is_one_line_without_its_password(
    sim: ChatsightSimulator, tmp_path: Path
) -> None:
    url = f"postgresql://bot:pw-5521@127.0.0.1:{free_port()}/chatsight"
    code, _, err = await run(
        env_for(sim, tmp_path, DATABASE_URL=url), "serve-webhooks", cwd=tmp_path
    )
    assert code == 1
    assert err.startswith("error: the database is unavailable")
    assert "pw-5521" not in err
    assert "Traceback" not in err
