"""A doctor's finding, and how the operator reads a list of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Finding:
    check: str  # what was checked, e.g. "Discord token"
    ok: bool
    detail: str  # what the service answered, in a few words
    fix: str = ""  # what to do, when not ok


def passed(check: str, detail: str) -> Finding:
    return Finding(check, True, detail)


def failed(check: str, detail: str, fix: str) -> Finding:
    return Finding(check, False, detail, fix)


def report(findings: Sequence[Finding]) -> str:
    lines = []
    for finding in findings:
        lines.append(f"{'ok  ' if finding.ok else 'FAIL'}  {finding.check}: {finding.detail}")
        if not finding.ok:
            lines.append(f"      fix: {finding.fix}")
    problems = sum(not finding.ok for finding in findings)
    lines.append(
        "all checks passed" if not problems else f"{problems} problem(s) found; see the fixes above"
    )
    return "\n".join(lines)
