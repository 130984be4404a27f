"""The bot's whole round trip as a Discord member sees it, with every party a local process.

The Discord emulator and the Chatsight simulator run as stand-ins, the real bot runs as
``chatsight-bot run`` configured by environment only, and a member's ``/tag`` is sent through the
emulator's control API. The channel is then printed as a reader would see it. Nothing leaves
127.0.0.1, and the only token is the one the emulator makes up for its own bot.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from standins.loopback import free_port

T = TypeVar("T")

STREAM = "https://streams.example/pizza/live.aac?tags=Food,Fun,Outdoors"
SIM_KEY = "demo-api-key"
SIM_SECRET = "demo-shared-secret"
WORLD = {
    "bots": [{"name": "Chatsight"}],
    "users": [{"username": "alice"}],
    "guilds": [
        {
            "name": "Demo",
            "channels": [{"name": "streams"}],
            "members": [{"user": "alice"}, {"user": "Chatsight"}],
        }
    ],
}
MENTION = re.compile(r"<@!?(\d+)>")


class Control:
    """The emulator's ``/_control`` API: one POST per action, keyword arguments as JSON."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        assert parts.hostname == "127.0.0.1" and parts.port is not None
        self._port = parts.port
        self._path = parts.path

    def __call__(self, action: str, **kwargs: Any) -> Any:
        connection = http.client.HTTPConnection("127.0.0.1", self._port, timeout=30)
        try:
            body = json.dumps(kwargs)
            headers = {"Content-Type": "application/json"}
            connection.request("POST", f"{self._path}/{action}", body, headers)
            answer = json.loads(connection.getresponse().read())
        finally:
            connection.close()
        if "error" in answer:
            raise RuntimeError(f"emulator {action}: {answer['error']}")
        return answer["result"]


# The figures of the round trip above, as the operator's Prometheus scrapes them.
SHOWN_METRICS = "^chatsight_(webhooks|sessions_finished|delivery_latency_seconds_count)"


def metric_lines(port: int) -> list[str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/metrics")
        text = connection.getresponse().read().decode()
    finally:
        connection.close()
    return [line for line in text.splitlines() if re.match(SHOWN_METRICS, line)]


def poll(find: Callable[[], T | None], seconds: float, what: str) -> T:
    """For conditions the control API cannot wait on (its waits take no predicate over HTTP)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = find()
        if found:
            return found
        time.sleep(0.1)
    raise TimeoutError(f"no {what} within {seconds:g} s")


def render(message: dict[str, Any], names: dict[str, str]) -> list[str]:
    """A message as text: the author, the content, each embed behind a bar."""

    def named(text: str) -> str:
        return MENTION.sub(lambda m: "@" + names.get(m.group(1), m.group(1)), text)

    author = message["author"]["username"] + (" [BOT]" if message["author"].get("bot") else "")
    lines = []
    used = message.get("interaction_metadata")
    if used is not None:
        lines.append(f"  ╭ {used['user']['username']} used /{message['interaction']['name']}")
    if message.get("message_reference"):
        lines.append(f"  ╭ replying to message {message['message_reference']['message_id']}")
    lines.append(f"  {author}  (message {message['id']})")
    if message["content"]:
        lines.append(f"    {named(message['content'])}")
    for embed in message["embeds"]:
        if "title" in embed:
            lines.append(f"    ┃ **{embed['title']}**")
        if "description" in embed:
            lines.append(f"    ┃ {named(embed['description'])}")
        for field in embed.get("fields", []):
            lines.append(f"    ┃ {field['name']}: {named(field['value'])}")
        if "footer" in embed:
            lines.append(f"    ┃ {embed['footer']['text']}")
    return lines


def titled(messages: list[dict[str, Any]], title: str) -> dict[str, Any] | None:
    return next(
        (m for m in messages if any(e.get("title") == title for e in m["embeds"])),
        None,
    )


def stop(process: subprocess.Popen[bytes], name: str) -> int:
    """SIGTERM, as an operator would; a process that ignores it is killed and reported."""
    if process.poll() is None:
        process.terminate()
        try:
            return process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            print(f"demo: {name} ignored SIGTERM and was killed", file=sys.stderr)
            return -9
    return process.returncode


def discord_demo(tmp: Path, bin_dir: Path) -> int:
    seed = tmp / "world.json"
    seed.write_text(json.dumps(WORLD))
    emulator = subprocess.Popen(
        [str(bin_dir / "python"), "-m", "standins.discord", "--seed-file", str(seed)],
        stdout=subprocess.PIPE,
    )
    started: list[tuple[subprocess.Popen[bytes], str]] = [(emulator, "the Discord emulator")]
    bot_log = tmp / "bot.log"
    try:
        assert emulator.stdout is not None
        ready = json.loads(emulator.stdout.readline() or b"null")
        if ready is None:
            raise RuntimeError("the Discord emulator did not start")
        control = Control(ready["control"])
        bot = ready["seed"]["bots"]["Chatsight"]
        alice = ready["seed"]["users"]["alice"]
        guild = ready["seed"]["guilds"]["Demo"]["id"]
        channel = ready["seed"]["guilds"]["Demo"]["channels"]["streams"]
        names = {str(user_id): name for name, user_id in ready["seed"]["users"].items()}

        sim_port, hook_port, metrics_port = free_port(), free_port(), free_port()
        simulator = subprocess.Popen(
            [
                str(bin_dir / "chatsight-bot"),
                "mock-api",
                "--port",
                str(sim_port),
                "--delay",
                "2",
                "--secret",
                SIM_SECRET,
                "--api-key",
                SIM_KEY,
            ],
            stdout=subprocess.DEVNULL,
        )
        started.append((simulator, "the Chatsight simulator"))
        env = {
            **os.environ,
            "DISCORD_TOKEN": bot["token"],
            "DISCORD_API_BASE": ready["api_base"],
            "DEV_GUILD_ID": str(guild),
            "CHATSIGHT_API_KEY": SIM_KEY,
            "CHATSIGHT_SHARED_SECRET": SIM_SECRET,
            "CHATSIGHT_API_BASE": f"http://127.0.0.1:{sim_port}",
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{hook_port}",
            "WEBHOOK_PORT": str(hook_port),
            "METRICS_PORT": str(metrics_port),
            "DATABASE_URL": f"sqlite:///{tmp / 'bot.db'}",
            "LOG_LEVEL": "INFO",
        }
        print("$ chatsight-bot run   (against the local Discord emulator and Chatsight simulator)")
        with bot_log.open("wb") as log:
            runner = subprocess.Popen(
                [str(bin_dir / "chatsight-bot"), "run"], env=env, cwd=tmp, stderr=log
            )
        started.append((runner, "the bot"))
        control("wait_until_ready", bot_user_id=bot["user_id"], timeout=20)
        poll(
            lambda: control("commands", application_id=bot["application_id"], guild_id=guild),
            20,
            "slash commands",
        )

        print(f"\nalice types in #streams:  /tag url:{STREAM}\n")
        control(
            "send_slash_command",
            guild_id=guild,
            channel_id=channel,
            user_id=alice,
            name="tag",
            options={"url": STREAM},
        )

        def channel_messages() -> list[dict[str, Any]]:
            found = control("messages", channel_id=channel, include_ephemeral=False)
            return [m["message"] for m in found]

        answer = poll(lambda: titled(channel_messages(), "Tagging started"), 10, "answer")
        print("\n".join(render(answer, names)))
        print("\n  … Chatsight listens to the stream; its webhook comes back to the bot …\n")
        result = poll(lambda: titled(channel_messages(), "Stream tags"), 20, "tags")
        print("\n".join(render(result, names)))
        posted = [m for m in channel_messages() if titled([m], "Stream tags")]
        replied = (result.get("message_reference") or {}).get("message_id") == answer["id"]
        outcome = 0 if len(posted) == 1 and replied else 1
        if outcome:
            print("demo: the tags were not posted exactly once as a reply", file=sys.stderr)
        print(f"\n$ curl -s 127.0.0.1:{metrics_port}/metrics | grep -E '{SHOWN_METRICS}'")
        print("\n".join(metric_lines(metrics_port)))
    except (TimeoutError, RuntimeError, OSError) as error:
        print(f"demo: {error}", file=sys.stderr)
        if bot_log.exists():
            print(bot_log.read_text(errors="replace")[-3000:], file=sys.stderr)
        outcome = 1
    finally:
        codes = {name: stop(process, name) for process, name in reversed(started)}
    print(f"\n$ kill -TERM <chatsight-bot run>   → exit {codes.get('the bot', 'not started')}")
    unclean = [name for name, code in codes.items() if code != 0]
    if unclean:
        print(f"demo: {', '.join(unclean)} did not stop cleanly: {codes}", file=sys.stderr)
    return 1 if unclean else outcome
