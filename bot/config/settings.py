"""The validated settings a process runs with, and how an operator sees them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bot.config.secret import Secret, masked_url
from bot.errors import ConfigError

POSTGRES_SCHEMES = ("postgresql", "postgres")


@dataclass(frozen=True)
class Settings:
    chatsight_api_key: Secret | None = None
    chatsight_shared_secret: Secret | None = None
    chatsight_api_base: str = "https://api.chatsight.ai"
    # Chatsight's published tag list, where its documentation says (docs/chatsight-api.md §2):
    # alert tags are suggested from it.
    chatsight_taglist_url: str = "https://announce.chatsight.ai/audio/tagginglist.json"
    public_base_url: str | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = 8080
    # /metrics on its own listener, loopback by default: internals stay off the public one.
    metrics_host: str = "127.0.0.1"
    metrics_port: int = 9464  # 0: no metrics listener
    # Out of repr: a PostgreSQL URL may carry a password (``shown`` masks it).
    database_url: str = field(default="sqlite:///data/chatsight.db", repr=False)
    database_pool_size: int = 10
    database_statement_timeout_seconds: float = 10.0
    discord_token: Secret | None = None
    discord_api_base: str | None = None
    dev_guild_id: int | None = None
    log_level: str = "INFO"
    # "json": one object a line for a log shipper (bot/app/logsetup.py); "text" for a terminal.
    log_format: str = "text"
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
    # Seconds in one minute of a server's sample interval and alert re-ping delay: 60, except in
    # tests that cannot wait.
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
    # How long one request to Discord may wait for its answer before it goes again later
    # (bot/delivery/poster.py); shortened only by tests of a lost answer.
    discord_request_timeout_seconds: float = 20.0
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
    ("CHATSIGHT_TAGLIST_URL", "chatsight_taglist_url"),
    ("PUBLIC_BASE_URL", "public_base_url"),
    ("WEBHOOK_HOST", "webhook_host"),
    ("WEBHOOK_PORT", "webhook_port"),
    ("METRICS_HOST", "metrics_host"),
    ("METRICS_PORT", "metrics_port"),
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
    ("LOG_FORMAT", "log_format"),
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


def _required(value: Secret | None, name: str, what: str) -> Secret:
    if value is None:
        raise ConfigError(f"{name} is missing: set it to {what}")
    return value
