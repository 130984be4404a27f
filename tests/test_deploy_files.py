"""deploy/ mirrors the install and run commands: no container engine or systemd runs the tests,
so what can drift is held here: every unit runs a command the CLI has, and the image installs
every package the project does and runs its entry point."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def cli_commands() -> set[str]:
    usage = subprocess.run(
        [sys.executable, "-c", "from bot.app.cli import main; main(['--help'])"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    ).stdout
    found = re.search(r"\{([a-z,-]+)\}", usage)
    assert found is not None, usage
    return set(found.group(1).split(","))


def test_every_unit_runs_a_command_the_cli_has() -> None:
    commands = cli_commands()
    units = sorted((DEPLOY / "systemd").glob("*.service"))
    assert {u.name for u in units} >= {"chatsight-bot.service", "chatsight-bot@.service"}
    for unit in units:
        (exec_start,) = re.findall(r"^ExecStart=(.+)$", unit.read_text(), re.MULTILINE)
        words = shlex.split(exec_start)
        program = next(i for i, word in enumerate(words) if word.endswith("/chatsight-bot"))
        assert words[program] == "/opt/chatsight-bot/venv/bin/chatsight-bot", unit.name
        assert words[program + 1] in commands, unit.name


def test_the_image_installs_what_the_project_does_and_runs_its_entry_point() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    copied = {
        part.rstrip("/")
        for line in re.findall(r"^COPY (.+)$", dockerfile, re.MULTILINE)
        for part in line.split()[:-1]
    }
    packages = {p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    assert packages | {"pyproject.toml", project["project"]["readme"]} <= copied
    assert "RUN pip install . " in dockerfile
    (script,) = project["project"]["scripts"]
    assert f'ENTRYPOINT ["{script}"]' in dockerfile
    assert 'CMD ["run"]' in dockerfile
