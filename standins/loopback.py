"""Loopback helpers shared by the stand-ins' users: tests, benchmarks and the demo."""

from __future__ import annotations

import socket
import subprocess
import time


def free_port() -> int:
    """A port free on 127.0.0.1 now; for servers that must keep one port across restarts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 20.0) -> None:
    """Until a freshly started server process listens on 127.0.0.1; exits if it died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"a stand-in exited early with code {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port}")
