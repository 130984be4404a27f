"""The ingest benchmark's load: ``wrk`` against one or more servers, and what it reads.

Several servers get one wrk process each, started together, every one with its share of the
connections and its own share of the requests file (so no two send the same session's result);
their rates add up and the worse p50 and p99 of them stand for the run. No balancer sits in
front: a TCP proxy on this 2-core machine would spend as much CPU per request as the servers it
spreads the load over (tests/loopback_proxy.py copies every byte through an event loop), and the
figure would measure the proxy. Nor one wrk with a thread per server: wrk runs each thread's
``init`` (which loads the requests) before it starts the next thread, so the first would load
its server for seconds longer than the run it is counted in.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

LUA = """
local requests = {}
local i = 0
init = function(args)
  local share, shares, line_no = tonumber(args[2]), tonumber(args[3]), 0
  for line in io.lines(args[1]) do
    if line_no % shares == share then
      local path, body = line:match("^(%S+) (.*)$")
      requests[#requests + 1] = wrk.format("POST", path,
        {["Content-Type"] = "application/json"}, body)
    end
    line_no = line_no + 1
  end
  i = math.random(#requests)
end
request = function()
  i = i % #requests + 1
  return requests[i]
end
"""


def run_wrk(
    ports: list[int], connections: int, seconds: int, requests_path: Path
) -> dict[str, float]:
    """One wrk process per server, all pinned to core 1 (the servers have core 0)."""
    lua = requests_path.with_suffix(".lua")
    lua.write_text(LUA)
    wrk = ["taskset", "-c", "1", "wrk", "-t1", f"-c{connections // len(ports)}", f"-d{seconds}s"]

    def script_args(share: int) -> list[str]:
        return ["--", str(requests_path), str(share), str(len(ports))]

    runs = [
        subprocess.Popen(
            [*wrk, "--latency", "-s", str(lua), f"http://127.0.0.1:{port}", *script_args(share)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for share, port in enumerate(ports)
    ]
    outputs = [run.communicate(timeout=seconds + 60)[0] for run in runs]
    for run in runs:
        if run.returncode:
            raise subprocess.CalledProcessError(run.returncode, run.args)
    results = [parse_wrk(output) for output in outputs]
    return {
        "rps": sum(r["rps"] for r in results),
        "p50": max(r["p50"] for r in results),
        "p99": max(r["p99"] for r in results),
        "errors": sum(r["errors"] for r in results),
    }


def parse_wrk(output: str) -> dict[str, float]:
    def latency_ms(label: str) -> float:
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        assert match, output
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    assert rate, output
    return {
        "rps": float(rate.group(1)),
        "p50": latency_ms("50"),
        "p99": latency_ms("99"),
        "errors": float(non2xx.group(1)) if non2xx else 0.0,
    }


def cpu_seconds(pid: int) -> float:
    """User and system time of a process and all its threads, from /proc (Linux)."""
    # The fields after the command name, which is in parentheses and may hold spaces.
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> dict[int, float]:
    """CPU time of every PostgreSQL server process now running (its backends, WAL writer,
    checkpointer), by process: the database's share of the machine during a load is the growth,
    counted for the processes alive at its end."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() == "postgres":
                found[int(entry.name)] = cpu_seconds(int(entry.name))
        except OSError:  # ended between the listing and the read
            continue
    return found


def fsync_file(path: Path) -> None:
    """On these disks the kernel writes dirty pages back some 30 s after they were written, and
    the first WAL checkpoint or fsync that meets them stalls for 100+ ms: wrk's correction for
    coordinated omission turns that one stall into the p99 (docs/perf-notes.md)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
