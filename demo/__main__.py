"""Runs ``chatsight-bot tag`` against the Chatsight simulator, then the Discord bot's round trip
against the Discord emulator and the simulator, each as a user would see it.

No credentials and no network beyond 127.0.0.1: the stand-ins are the only Chatsight and the only
Discord there are.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from demo.discord_round_trip import discord_demo
from standins.loopback import free_port, wait_for_port

SIM_KEY = "demo-api-key"
SIM_SECRET = "demo-shared-secret"


def cli_demo(tmp: Path) -> int:
    sim_port, hook_port = free_port(), free_port()
    bin_dir = Path(sys.executable).parent
    simulator = subprocess.Popen(
        [
            str(bin_dir / "chatsight-bot"),
            "mock-api",
            "--port",
            str(sim_port),
            "--delay",
            "1",
            "--secret",
            SIM_SECRET,
            "--api-key",
            SIM_KEY,
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(sim_port, simulator)
        env = {
            **os.environ,
            "CHATSIGHT_API_KEY": SIM_KEY,
            "CHATSIGHT_SHARED_SECRET": SIM_SECRET,
            "CHATSIGHT_API_BASE": f"http://127.0.0.1:{sim_port}",
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{hook_port}",
            "WEBHOOK_PORT": str(hook_port),
            "DATABASE_URL": f"sqlite:///{tmp / 'demo.db'}",
            "LOG_LEVEL": "WARNING",
        }
        url = "https://streams.example/pizza/live.aac?tags=Food,Fun,Outdoors"
        print(f"$ chatsight-bot tag {url}")
        tagged = subprocess.run(
            [str(bin_dir / "chatsight-bot"), "tag", url, "--timeout", "30"],
            env=env,
            check=False,
            timeout=60,
        )
        return tagged.returncode
    finally:
        simulator.terminate()
        simulator.wait(timeout=10)


def main() -> int:
    # Our lines and the children's must interleave in order, also when piped.
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    print("chatsight-bot demo: everything runs on 127.0.0.1 against local stand-ins.\n")
    with tempfile.TemporaryDirectory() as tmp:
        code = cli_demo(Path(tmp))
        print("\n--- the Discord bot ---\n")
        code = discord_demo(Path(tmp), Path(sys.executable).parent) or code
    print("\ndemo:", "OK" if code == 0 else f"FAILED (exit {code})")
    return code


if __name__ == "__main__":
    sys.exit(main())
