"""Driving the emulator from another process: the HTTP control API and the CLI."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from standins.discord import DiscordEmulator
from tests.discord_emulator.emu_helpers import raw_request

SEED = {
    "bots": [{"name": "Chatsight", "token": "demo-token"}],
    "users": [{"username": "alice"}],
    "guilds": [
        {
            "name": "Demo",
            "roles": [{"name": "Mods", "permissions": 0, "mentionable": True}],
            "channels": [{"name": "general"}, {"name": "news", "type": 5}],
            "members": [{"user": "alice", "roles": ["Mods"]}, {"user": "Chatsight"}],
        }
    ],
}


async def test_http_control_mirrors_the_python_api(emulator: DiscordEmulator) -> None:
    control = f"{emulator.base_url}/_control"
    listing = await raw_request("GET", control)
    assert "send_slash_command" in listing.body["actions"]
    seeded = (await raw_request("POST", f"{control}/seed", json_body={"spec": SEED})).body
    ids = seeded["result"]
    general = ids["guilds"]["Demo"]["channels"]["general"]
    alice = ids["users"]["alice"]
    posted = await raw_request(
        "POST",
        f"{control}/post_message",
        json_body={"channel_id": general, "author_id": alice, "content": "hi from a demo"},
    )
    assert posted.body["result"]["message"]["content"] == "hi from a demo"
    read = await raw_request("POST", f"{control}/messages", json_body={"channel_id": general})
    assert [m["message"]["content"] for m in read.body["result"]] == ["hi from a demo"]
    bad = await raw_request("POST", f"{control}/post_message", json_body={"channel_id": 1})
    assert bad.status == 400 and "error" in bad.body
    await raw_request(
        "POST",
        f"{control}/inject_ratelimit",
        json_body={"pattern": "GET /users/@me", "retry_after": 0.1},
    )
    limited = await raw_request("GET", f"{emulator.api_base}/users/@me", token="demo-token")
    assert limited.status == 429


async def test_cli_serves_a_seeded_world(tmp_path: Path) -> None:
    seed_file = tmp_path / "world.json"
    seed_file.write_text(json.dumps(SEED))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "standins.discord",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--seed-file",
        str(seed_file),
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        banner = json.loads(await asyncio.wait_for(process.stdout.readline(), 10))
        assert banner["seed"]["bots"]["Chatsight"]["token"] == "demo-token"
        me = await raw_request("GET", f"{banner['api_base']}/users/@me", token="demo-token")
        assert me.status == 200 and me.body["username"] == "Chatsight"
    finally:
        process.terminate()
        assert await asyncio.wait_for(process.wait(), 10) == 0
