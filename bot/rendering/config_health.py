"""The words for a configuration that broke: in ``/chatsight-config show`` (the member's
language) and in the one notice the admins get (the server's)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.config_health import ConfigProblem
from bot.language.catalogue import Words
from bot.rendering.refusals import permission_names


def _target(problem: ConfigProblem) -> str:
    if problem.setting == "alert role":
        return f"<@&{problem.target_id}>"
    return f"<#{problem.target_id}>"


def problem_line(problem: ConfigProblem, *, words: Words) -> str:
    """One broken setting: "results channel <#1>: deleted, or hidden from me"."""
    role = problem.setting == "alert role"
    if problem.gone:
        what = words("config_health.role_gone" if role else "config_health.channel_gone")
    elif role:
        what = words("config_health.role_not_mentionable")
    else:
        missing = permission_names(problem.missing, words=words)
        what = words("config_health.lacks_permissions", permissions=missing)
    setting = words("config_health.setting." + problem.setting.replace(" ", "_"))
    return words("config_health.line", setting=setting, target=_target(problem), problem=what)


def degraded_value(problems: Sequence[ConfigProblem], *, words: Words) -> str:
    return "\n".join(problem_line(p, words=words) for p in problems)


def notice_text(problems: Sequence[ConfigProblem], *, words: Words) -> str:
    """To the admins, once per breakage; the configuration itself is kept."""
    lines = [f"- {problem_line(p, words=words)}" for p in problems]
    return "\n".join(
        [words("config_health.notice_title"), *lines, words("config_health.notice_kept")]
    )
