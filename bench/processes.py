"""The bot's processes as an operator starts them: `chatsight-bot run` and `serve-webhooks`.

Each is a real child process of the installed command, logging to a file printed when a test or
the soak fails; ``kill`` is SIGKILL (kill -9), with no chance to finish anything. Shared by
tests/scale and the soak run (bench/soak.py), which start and kill the same processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

CLI = str(Path(sys.executable).with_name("chatsight-bot"))


def receiver_env(database_url: str, shared_secret: str, port: int, **more: str) -> dict[str, str]:
    """``serve-webhooks`` alone on 127.0.0.1: it never calls Chatsight and exports no metrics."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": database_url,
        "CHATSIGHT_API_KEY": "unused",
        "CHATSIGHT_API_BASE": "http://127.0.0.1:9",
        "CHATSIGHT_SHARED_SECRET": shared_secret,
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
        "METRICS_PORT": "0",
        "LOG_LEVEL": "INFO",
        **more,
    }


@dataclass
class BotProcess:
    name: str
    command: str
    env: dict[str, str]
    workdir: Path
    process: asyncio.subprocess.Process | None = None
    kills: int = 0
    _log: IO[bytes] | None = field(default=None, repr=False)

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name}.log"

    async def start(self) -> BotProcess:
        self._log = self.log_path.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            CLI, self.command, env=self.env, cwd=self.workdir, stdout=self._log, stderr=self._log
        )
        return self

    async def kill(self) -> None:
        """kill -9: whatever it was doing stops mid-step."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()
        self.process = None  # down until started again
        self.kills += 1
        self._close_log()

    async def stop(self) -> int | None:
        """SIGTERM, as systemd sends it; the process finishes what it accepted first."""
        if self.process is None:
            return None
        if self.process.returncode is None:
            self.process.terminate()
            try:
                async with asyncio.timeout(15):
                    await self.process.wait()
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        self._close_log()
        return self.process.returncode

    def tail(self, chars: int = 3000) -> str:
        if not self.log_path.exists():
            return f"{self.name}: no log"
        return f"--- {self.name} ---\n" + self.log_path.read_text(errors="replace")[-chars:]

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


async def wait_healthy(port: int, within_s: float = 20.0) -> None:
    """Until the receiver on ``port`` says its database answers."""
    url = f"http://127.0.0.1:{port}/healthz"
    async with aiohttp.ClientSession() as http, asyncio.timeout(within_s):
        while True:
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(url) as answer:
                    if answer.status == 200:
                        return
            await asyncio.sleep(0.1)


async def outbox_depth(process: BotProcess) -> float | None:
    """The outbox depth a process exports on its /metrics, or None when it exports none."""
    url = f"http://127.0.0.1:{process.env['METRICS_PORT']}/metrics"
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert response.status == 200
        text = await response.text()
    for family in text_string_to_metric_families(text):
        if family.name == "chatsight_outbox_depth":
            return float(family.samples[0].value)
    return None


def rss_kib(process: BotProcess) -> int:
    """The process's resident set (VmRSS in /proc/<pid>/status), in KiB."""
    assert process.process is not None
    for line in Path(f"/proc/{process.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise LookupError(f"{process.name} has no VmRSS")
