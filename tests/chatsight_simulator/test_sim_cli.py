"""``python -m standins.chatsight``: serves, says where, stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import re
import signal
import sys

import aiohttp

from tests.chatsight_simulator.harness import STREAM_URL, WebhookSink


async def test_the_simulator_runs_as_a_process(
    http: aiohttp.ClientSession, webhook_sink: WebhookSink
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "standins.chatsight",
        "--port",
        "0",
        "--tags",
        "Food, Music",
        "--delay",
        "0.05",
        "--api-key",
        "cli-key",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 10)).decode()
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
        assert match, line
        base = match.group(1)
        headers = {"x-chatsight-api-auth": "cli-key", "x-chatsight-api": "chatsightvoice"}
        body = {"url": f"{STREAM_URL}?tags=Fun", "convoId": "cli", "webhook": webhook_sink.url}
        async with http.post(f"{base}/stream/tag", json=body, headers=headers) as response:
            assert response.status == 200
        async with http.get(f"{base}/_sim/webhooks", params={"count": "1"}) as response:
            assert response.status == 200
        # --tags overrides the URL's own tags.
        assert webhook_sink.bodies[0]["payload"]["tags"] == "Food,Music"
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 10) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
