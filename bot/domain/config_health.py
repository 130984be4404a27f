"""What of a server's configuration no longer works: a channel or role gone, or access lost.

Configuration is never deleted when it breaks (the channel may come back, access be granted
again); it is shown as degraded and the server's admins are told once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """``setting``: "results channel", "alerts channel", "watched channel" or "alert role";
    ``missing``: Discord's flag names the bot lacks there, empty when the target is gone."""

    setting: str
    target_id: int
    missing: tuple[str, ...] = ()

    @property
    def gone(self) -> bool:
        return not self.missing


def problems_key(problems: Sequence[ConfigProblem]) -> str:
    """A stable key of what is broken, so the same breakage is told once (``""``: nothing)."""
    parts = sorted(f"{p.setting}:{p.target_id}:{','.join(p.missing) or 'gone'}" for p in problems)
    return "|".join(parts)
