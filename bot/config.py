"""Settings, read once from the environment (optionally ``.env``) and validated at start-up.

Every error names the variable and what is wrong with it, so an operator can fix a deployment
from one log line. Values a command does not need are not demanded: ``require_*`` accessors raise
only when a command actually asks for the value.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dotenv import dotenv_values

from bot.errors import ConfigError

_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
POSTGRES_SCHEMES = ("postgresql", "postgres")


class Secret:
    """A credential that masks itself in ``repr``, ``str`` and f-strings.

    Only :meth:`reveal` hands out the value, so a secret cannot leak by being logged by accident.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Settings:
    chatsight_api_key: Secret | None = None
    chatsight_shared_secret: Secret | None = None
    chatsight_api_base: str = "https://api.chatsight.ai"
    public_base_url: str | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = 8080
    # Out of repr: a PostgreSQL URL may carry a password (``shown`` masks it).
    database_url: str = field(default="sqlite:///data/chatsight.db", repr=False)
    database_pool_size: int = 10
    database_statement_timeout_seconds: float = 10.0
    discord_token: Secret | None = None
    discord_api_base: str | None = None
    dev_guild_id: int | None = None
    log_level: str = "INFO"
    poll_after_seconds: float = 360.0
    expire_after_seconds: float = 1800.0
    webhook_max_skew_seconds: float = 300.0
    secret_grace_seconds: float = 900.0
    chatsight_timeout_seconds: float = 15.0
    tag_cooldown_seconds: float = 30.0
    guild_session_cap: int = 5
    stream_fetch_allow: tuple[str, ...] = ()
    # Directories of extra streamlink plugins (sites streamlink lacks; tests' loopback site).
    streamlink_plugin_dirs: tuple[str, ...] = ()
    autotag_window_seconds: float = 1800.0
    follow_max_seconds: float = 4 * 3600.0
    # Seconds in one minute of a server's sample interval: 60, except in tests that cannot wait.
    follow_minute_seconds: float = 60.0
    # Between two IDENTIFYs of one bucket: Discord's 5 s and a margin, except against an emulator
    # whose window tests shorten.
    identify_spacing_seconds: float = 5.25
    # Requests per second Discord allows the bot's token (its global rate limit): 50, unless
    # Discord raised it for a large bot.
    discord_global_limit: int = 50
    # How long Discord is trusted to recall a message nonce (bot/delivery/poster.py), and
    # whether delivery paces itself and packs results: both Discord's and the bot's own
    # behaviour in production, changed only by tests and the delivery benchmark's baseline.
    nonce_trusted_seconds: float = 60.0
    pace_and_pack: bool = True
    message_content_intent: bool = True
    serve_webhooks: bool = True
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None

    def require_api_key(self) -> Secret:
        return _required(self.chatsight_api_key, "CHATSIGHT_API_KEY", "the Chatsight API key")

    def require_shared_secret(self) -> Secret:
        return _required(
            self.chatsight_shared_secret,
            "CHATSIGHT_SHARED_SECRET",
            "the webhook shared secret (get one with `chatsight-bot rotate-secret`)",
        )

    def require_discord_token(self) -> Secret:
        return _required(self.discord_token, "DISCORD_TOKEN", "the Discord bot token")

    def secrets(self) -> list[Secret]:
        """Every credential in force, for the log filter that masks them."""
        found = (
            self.chatsight_api_key,
            self.chatsight_shared_secret,
            self.discord_token,
            self.database_password,
        )
        return [s for s in found if s is not None]

    @property
    def database_password(self) -> Secret | None:
        password = urlsplit(self.database_url).password
        return Secret(password) if password else None

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``: the engine ``DATABASE_URL`` names."""
        scheme = urlsplit(self.database_url).scheme
        return "postgresql" if scheme in POSTGRES_SCHEMES else scheme

    @property
    def sqlite_path(self) -> Path:
        """The file behind a ``sqlite:///`` URL (``sqlite:///:memory:`` stays in memory)."""
        scheme, _, rest = self.database_url.partition("://")
        if scheme != "sqlite":
            raise ConfigError(f"DATABASE_URL: unsupported engine {scheme!r}; use sqlite:///PATH")
        return Path(rest[1:] if rest.startswith("/") else rest)


# Every variable load_settings reads, and the setting it fills: `check-config` shows each of them
# (secrets masked), and a test holds this list to the Settings fields and to .env.example.
VARIABLES: tuple[tuple[str, str], ...] = (
    ("CHATSIGHT_API_KEY", "chatsight_api_key"),
    ("CHATSIGHT_SHARED_SECRET", "chatsight_shared_secret"),
    ("CHATSIGHT_API_BASE", "chatsight_api_base"),
    ("PUBLIC_BASE_URL", "public_base_url"),
    ("WEBHOOK_HOST", "webhook_host"),
    ("WEBHOOK_PORT", "webhook_port"),
    ("DATABASE_URL", "database_url"),
    ("DATABASE_POOL_SIZE", "database_pool_size"),
    ("DATABASE_STATEMENT_TIMEOUT_SECONDS", "database_statement_timeout_seconds"),
    ("DISCORD_TOKEN", "discord_token"),
    ("DISCORD_API_BASE", "discord_api_base"),
    ("DEV_GUILD_ID", "dev_guild_id"),
    ("DISCORD_GLOBAL_LIMIT", "discord_global_limit"),
    ("DISCORD_MESSAGE_CONTENT", "message_content_intent"),
    ("DISCORD_SHARD_COUNT", "shard_count"),
    ("DISCORD_SHARD_IDS", "shard_ids"),
    ("SERVE_WEBHOOKS", "serve_webhooks"),
    ("LOG_LEVEL", "log_level"),
    ("STREAM_FETCH_ALLOW", "stream_fetch_allow"),
    ("STREAMLINK_PLUGIN_DIRS", "streamlink_plugin_dirs"),
    ("POLL_AFTER_SECONDS", "poll_after_seconds"),
    ("EXPIRE_AFTER_SECONDS", "expire_after_seconds"),
    ("WEBHOOK_MAX_SKEW_SECONDS", "webhook_max_skew_seconds"),
    ("SECRET_GRACE_SECONDS", "secret_grace_seconds"),
    ("CHATSIGHT_TIMEOUT_SECONDS", "chatsight_timeout_seconds"),
    ("TAG_COOLDOWN_SECONDS", "tag_cooldown_seconds"),
    ("GUILD_SESSION_CAP", "guild_session_cap"),
    ("AUTOTAG_WINDOW_SECONDS", "autotag_window_seconds"),
    ("FOLLOW_MAX_SECONDS", "follow_max_seconds"),
)


def shown(settings: Settings) -> list[tuple[str, str]]:
    """Each variable with its value in force, as an operator reads it; secrets stay masked."""
    rows = []
    for name, attribute in VARIABLES:
        value = getattr(settings, attribute)
        if value is None or value == ():
            text = "(not set)"
        elif attribute == "database_url":
            text = masked_url(value)
        elif isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, tuple):
            text = ",".join(str(part) for part in value)
        else:
            text = str(value)
        rows.append((name, text))
    return rows


def masked_url(url: str) -> str:
    """The URL with its password, if any, replaced by asterisks: safe to print and log."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=f"{user}:********@{host}").geturl()


def _required(value: Secret | None, name: str, what: str) -> Secret:
    if value is None:
        raise ConfigError(f"{name} is missing: set it to {what}")
    return value


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
        public_base_url=_url(env, "PUBLIC_BASE_URL"),
        webhook_host=env.get("WEBHOOK_HOST", Settings.webhook_host),
        webhook_port=_port(env, "WEBHOOK_PORT", Settings.webhook_port),
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
