"""The words for a configuration that broke: in ``/chatsight-config show`` and in the one
notice the admins get."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.config_health import ConfigProblem
from bot.rendering.refusals import permission_names


def _target(problem: ConfigProblem) -> str:
    if problem.setting == "alert role":
        return f"<@&{problem.target_id}>"
    return f"<#{problem.target_id}>"


def problem_line(problem: ConfigProblem) -> str:
    """One broken setting: "results channel <#1>: deleted, or hidden from me"."""
    if problem.gone:
        what = "deleted" if problem.setting == "alert role" else "deleted, or hidden from me"
    elif problem.setting == "alert role":
        what = "I can't mention it (make it mentionable)"
    else:
        what = f"I lack {permission_names(problem.missing)} there"
    return f"{problem.setting} {_target(problem)}: {what}"


def degraded_value(problems: Sequence[ConfigProblem]) -> str:
    return "\n".join(problem_line(p) for p in problems)


def notice_text(problems: Sequence[ConfigProblem]) -> str:
    """To the admins, once per breakage; the configuration itself is kept."""
    lines = [f"- {problem_line(p)}" for p in problems]
    return "\n".join(
        [
            "**Chatsight's configuration no longer works here:**",
            *lines,
            "It is kept as it is: fix it in Discord, or change it with `/chatsight-config`.",
        ]
    )
