"""Reading the environment (and ``.env``) into ``Settings``: one parser per kind of value, each
error naming its variable."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dotenv import dotenv_values

from bot.config.secret import Secret, masked_url
from bot.config.settings import POSTGRES_SCHEMES, Settings
from bot.errors import ConfigError

_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_LOG_FORMATS = ("text", "json")


def load_settings(
    environ: Mapping[str, str] | None = None, dotenv_path: str | Path | None = ".env"
) -> Settings:
    """Merge ``.env`` under the real environment (the environment wins) and validate."""
    merged: dict[str, str] = {}
    if dotenv_path is not None and Path(dotenv_path).is_file():
        merged.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    merged.update(os.environ if environ is None else environ)
    env = {k: v.strip() for k, v in merged.items() if v.strip()}

    log_level = env.get("LOG_LEVEL", "INFO").upper()
    if log_level not in _LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL: {log_level!r} is not one of {', '.join(_LOG_LEVELS)}")
    log_format = env.get("LOG_FORMAT", Settings.log_format).lower()
    if log_format not in _LOG_FORMATS:
        raise ConfigError(f"LOG_FORMAT: {log_format!r} is not one of {', '.join(_LOG_FORMATS)}")
    database_url = env.get("DATABASE_URL", Settings.database_url)
    if urlsplit(database_url).scheme not in ("sqlite", *POSTGRES_SCHEMES):
        raise ConfigError(
            f"DATABASE_URL: {masked_url(database_url)!r} is neither sqlite:///PATH nor"
            " postgresql://user:password@host:port/dbname"
        )
    return Settings(
        chatsight_api_key=_secret(env, "CHATSIGHT_API_KEY"),
        chatsight_shared_secret=_secret(env, "CHATSIGHT_SHARED_SECRET"),
        chatsight_api_base=_url(env, "CHATSIGHT_API_BASE") or Settings.chatsight_api_base,
        chatsight_taglist_url=(
            _url(env, "CHATSIGHT_TAGLIST_URL") or Settings.chatsight_taglist_url
        ),
        public_base_url=_url(env, "PUBLIC_BASE_URL"),
        webhook_host=env.get("WEBHOOK_HOST", Settings.webhook_host),
        webhook_port=_port(env, "WEBHOOK_PORT", Settings.webhook_port),
        metrics_host=env.get("METRICS_HOST", Settings.metrics_host),
        metrics_port=_port(env, "METRICS_PORT", Settings.metrics_port),
        database_url=database_url,
        database_pool_size=_count(env, "DATABASE_POOL_SIZE", Settings.database_pool_size),
        database_statement_timeout_seconds=_bound(
            env, "DATABASE_STATEMENT_TIMEOUT_SECONDS", Settings.database_statement_timeout_seconds
        ),
        discord_token=_secret(env, "DISCORD_TOKEN"),
        discord_api_base=_url(env, "DISCORD_API_BASE"),
        dev_guild_id=_snowflake(env, "DEV_GUILD_ID"),
        discord_global_limit=_count(env, "DISCORD_GLOBAL_LIMIT", Settings.discord_global_limit),
        log_level=log_level,
        log_format=log_format,
        poll_after_seconds=_seconds(env, "POLL_AFTER_SECONDS", Settings.poll_after_seconds),
        expire_after_seconds=_seconds(env, "EXPIRE_AFTER_SECONDS", Settings.expire_after_seconds),
        webhook_max_skew_seconds=_seconds(
            env, "WEBHOOK_MAX_SKEW_SECONDS", Settings.webhook_max_skew_seconds
        ),
        secret_grace_seconds=_seconds(env, "SECRET_GRACE_SECONDS", Settings.secret_grace_seconds),
        chatsight_timeout_seconds=_seconds(
            env, "CHATSIGHT_TIMEOUT_SECONDS", Settings.chatsight_timeout_seconds
        ),
        tag_cooldown_seconds=_seconds(env, "TAG_COOLDOWN_SECONDS", Settings.tag_cooldown_seconds),
        guild_session_cap=int(_seconds(env, "GUILD_SESSION_CAP", Settings.guild_session_cap)),
        stream_fetch_allow=_networks(env, "STREAM_FETCH_ALLOW"),
        streamlink_plugin_dirs=_directories(env, "STREAMLINK_PLUGIN_DIRS"),
        autotag_window_seconds=_seconds(
            env, "AUTOTAG_WINDOW_SECONDS", Settings.autotag_window_seconds
        ),
        follow_max_seconds=_seconds(env, "FOLLOW_MAX_SECONDS", Settings.follow_max_seconds),
        message_content_intent=_flag(env, "DISCORD_MESSAGE_CONTENT", default=True),
        serve_webhooks=_flag(env, "SERVE_WEBHOOKS", default=True),
        **_shards(env),
    )


def _secret(env: Mapping[str, str], name: str) -> Secret | None:
    value = env.get(name)
    return Secret(value) if value else None


def _url(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{name}: {value!r} is not an http(s) URL")
    return value.rstrip("/")


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name)
    if value is None:
        return default
    if not value.isdigit() or not 0 <= int(value) <= 65535:
        raise ConfigError(f"{name}: {value!r} is not a port (0-65535)")
    return int(value)


def _snowflake(env: Mapping[str, str], name: str) -> int | None:
    value = env.get(name)
    if value is None:
        return None
    if not value.isdigit():
        raise ConfigError(f"{name}: {value!r} is not a Discord id (digits only)")
    return int(value)


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    value = env.get(name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(f"{name}: {value!r} is not a number") from None
    if number < 0:
        raise ConfigError(f"{name}: must not be negative")
    return number


def _bound(env: Mapping[str, str], name: str, default: float) -> float:
    """Seconds that bound a wait: 0 would mean no bound at all, so it must be more."""
    number = _seconds(env, name, default)
    if not 0 < number < float("inf"):
        raise ConfigError(f"{name}: must be more than 0 seconds (and finite)")
    return number


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name)
    if value is None:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ConfigError(f"{name}: {value!r} is not a whole number of at least 1")
    return int(value)


def _networks(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Networks our server-side fetches of user URLs may reach despite being private."""
    values = tuple(part.strip() for part in env.get(name, "").split(",") if part.strip())
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ConfigError(
                f"{name}: {value!r} is not an IP network such as 10.0.0.0/8"
            ) from None
    return values


def _directories(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Existing directories, comma-separated as streamlink's own ``--plugin-dirs`` takes them."""
    values = tuple(part.strip() for part in env.get(name, "").split(",") if part.strip())
    for value in values:
        if not Path(value).is_dir():
            raise ConfigError(f"{name}: {value!r} is not a directory")
    return values


def _shards(env: Mapping[str, str]) -> dict[str, Any]:
    """``DISCORD_SHARD_COUNT`` alone runs every shard here; with ``DISCORD_SHARD_IDS`` only those,
    so several processes split one bot's shards between them."""
    count = env.get("DISCORD_SHARD_COUNT")
    ids = env.get("DISCORD_SHARD_IDS")
    if count is None:
        if ids is not None:
            raise ConfigError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT (the bot's total)")
        return {}
    if not count.isdigit() or int(count) < 1:
        raise ConfigError(f"DISCORD_SHARD_COUNT: {count!r} is not a whole number of at least 1")
    if ids is None:
        return {"shard_count": int(count)}
    parts = [part.strip() for part in ids.split(",") if part.strip()]
    if not parts or not all(part.isdigit() for part in parts):
        raise ConfigError(f"DISCORD_SHARD_IDS: {ids!r} is not a list of shard ids such as 0,1")
    chosen = tuple(sorted({int(part) for part in parts}))
    if chosen[-1] >= int(count):
        raise ConfigError(
            f"DISCORD_SHARD_IDS: shard {chosen[-1]} does not exist with DISCORD_SHARD_COUNT={count}"
            f" (ids run from 0 to {int(count) - 1})"
        )
    return {"shard_count": int(count), "shard_ids": chosen}


def _flag(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    value = env.get(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}: {value!r} is not true or false")
