"""What a configuration describes: which backend, which processes, and what each one runs.

``check-config`` prints it, so an operator sees before starting anything whether the settings of
each host add up to a working deployment (README, Running at scale).
"""

from __future__ import annotations

from bot.config import Settings, masked_url


def describe(settings: Settings) -> tuple[list[str], list[str]]:
    """Lines describing the deployment, and warnings about what cannot work as configured."""
    lines: list[str] = []
    warnings: list[str] = []
    several = settings.backend == "postgresql"
    if several:
        lines.append(
            f"backend: PostgreSQL at {masked_url(settings.database_url)};"
            " several processes may share it"
        )
    else:
        lines.append(f"backend: SQLite at {settings.sqlite_path}; one process only")
    listener = f"{settings.webhook_host}:{settings.webhook_port}"
    lines.append(
        f"`chatsight-bot run`: the gateway ({_shards(settings)}), delivery, polling, follows"
    )
    if settings.serve_webhooks:
        lines.append(f"  and the webhook listener on {listener}")
    else:
        lines.append("  without a webhook listener (SERVE_WEBHOOKS=false)")
    lines.append(f"`chatsight-bot serve-webhooks`: the webhook listener alone on {listener}")
    if settings.metrics_port:
        where = f"http://{settings.metrics_host}:{settings.metrics_port}/metrics"
        figures = "with" if exports_database_figures(settings) else "without"
        lines.append(f"metrics: {where}, `run` {figures} the database's figures")
    else:
        lines.append("metrics: off (METRICS_PORT=0)")
    if not several:
        if not settings.serve_webhooks:
            warnings.append(
                "SERVE_WEBHOOKS=false with SQLite: `serve-webhooks` cannot run beside `run` on one"
                " SQLite database, so nothing would receive results; use PostgreSQL"
            )
        if settings.shard_ids is not None and settings.shard_count != len(settings.shard_ids):
            warnings.append(
                "DISCORD_SHARD_IDS leaves shards to other processes, which need PostgreSQL"
            )
    return lines, warnings


def exports_database_figures(settings: Settings) -> bool:
    """The one `run` process that exports the figures read from the shared database (the
    outbox, follows): the one with shard 0, so a sum over processes counts them once."""
    return settings.shard_ids is None or 0 in settings.shard_ids


def _shards(settings: Settings) -> str:
    if settings.shard_count is None:
        return "all the shards Discord recommends"
    if settings.shard_ids is None:
        return f"all {settings.shard_count} shards"
    ids = ",".join(str(shard) for shard in settings.shard_ids)
    return f"shards {ids} of {settings.shard_count}"
