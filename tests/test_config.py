"""Settings: validated once, errors name the variable, secrets never show."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.app.logsetup import SecretMaskingFilter
from bot.config import Secret, load_settings, shown
from bot.errors import ConfigError


def test_defaults_and_dotenv_under_real_environment(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("CHATSIGHT_API_KEY=from-file\nWEBHOOK_PORT=9000\n")
    settings = load_settings({"WEBHOOK_PORT": "9100"}, dotenv)
    assert settings.require_api_key().reveal() == "from-file"
    assert settings.webhook_port == 9100
    assert settings.chatsight_api_base == "https://api.chatsight.ai"
    assert settings.chatsight_taglist_url == "https://announce.chatsight.ai/audio/tagginglist.json"
    assert settings.sqlite_path == Path("data/chatsight.db")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WEBHOOK_PORT": "http"}, "WEBHOOK_PORT: 'http' is not a port"),
        ({"WEBHOOK_PORT": "70000"}, "WEBHOOK_PORT"),
        ({"PUBLIC_BASE_URL": "example.org"}, "PUBLIC_BASE_URL: 'example.org' is not an http(s)"),
        ({"CHATSIGHT_TAGLIST_URL": "file:///etc/passwd"}, "CHATSIGHT_TAGLIST_URL: 'file:"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"DEV_GUILD_ID": "abc"}, "DEV_GUILD_ID"),
        ({"POLL_AFTER_SECONDS": "-1"}, "POLL_AFTER_SECONDS"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"DATABASE_POOL_SIZE": "0"}, "DATABASE_POOL_SIZE: '0' is not a whole number"),
        ({"DATABASE_POOL_SIZE": "ten"}, "DATABASE_POOL_SIZE: 'ten' is not a whole number"),
        (
            {"DATABASE_STATEMENT_TIMEOUT_SECONDS": "0"},
            "DATABASE_STATEMENT_TIMEOUT_SECONDS: must be more",
        ),
        (
            {"DATABASE_STATEMENT_TIMEOUT_SECONDS": "inf"},
            "DATABASE_STATEMENT_TIMEOUT_SECONDS: must be more",
        ),
        (
            {"DATABASE_STATEMENT_TIMEOUT_SECONDS": "-1"},
            "DATABASE_STATEMENT_TIMEOUT_SECONDS: must not be",
        ),
        (
            {"DATABASE_STATEMENT_TIMEOUT_SECONDS": "soon"},
            "DATABASE_STATEMENT_TIMEOUT_SECONDS: 'soon'",
        ),
        ({"DISCORD_SHARD_IDS": "0"}, "DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT"),
        ({"DISCORD_SHARD_COUNT": "0"}, "DISCORD_SHARD_COUNT: '0' is not a whole number"),
        ({"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "1,2"}, "shard 2 does not exist"),
        ({"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "a"}, "DISCORD_SHARD_IDS: 'a'"),
        ({"SERVE_WEBHOOKS": "maybe"}, "SERVE_WEBHOOKS"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT: 'xml' is not one of text, json"),
        (
            {"STREAMLINK_PLUGIN_DIRS": "/no/such/plugins"},
            "STREAMLINK_PLUGIN_DIRS: '/no/such/plugins' is not a directory",
        ),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env, None)
    assert message in caught.value.user_message


def test_missing_values_are_demanded_only_when_needed() -> None:
    settings = load_settings({}, None)
    with pytest.raises(ConfigError, match="CHATSIGHT_API_KEY is missing"):
        settings.require_api_key()
    with pytest.raises(ConfigError, match="DISCORD_TOKEN is missing"):
        settings.require_discord_token()


def test_secrets_are_masked_in_repr_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    settings = load_settings(
        {"CHATSIGHT_API_KEY": "key-123456", "DISCORD_TOKEN": "tok-98765"}, None
    )
    assert "key-123456" not in repr(settings)
    assert "tok-98765" not in f"{settings}"
    assert str(Secret("x")) == "Secret('********')"
    logger = logging.getLogger("test.masking")
    logger.addFilter(SecretMaskingFilter(settings.secrets()))
    with caplog.at_level(logging.INFO, logger="test.masking"):
        logger.info("calling with %s", "key-123456")
        try:
            raise ValueError("token tok-98765 refused")
        except ValueError:
            logger.exception("failed")
    assert "key-123456" not in caplog.text
    assert "tok-98765" not in caplog.text
    assert "********" in caplog.text


def test_streamlink_plugin_dirs_are_a_comma_separated_list(tmp_path: Path) -> None:
    (tmp_path / "more").mkdir()
    dirs = f"{tmp_path}, {tmp_path / 'more'}"
    settings = load_settings({"STREAMLINK_PLUGIN_DIRS": dirs}, None)
    assert settings.streamlink_plugin_dirs == (str(tmp_path), str(tmp_path / "more"))
    assert load_settings({}, None).streamlink_plugin_dirs == ()


def test_shards_and_processes() -> None:
    both = load_settings({"DISCORD_SHARD_COUNT": "4", "DISCORD_SHARD_IDS": "3, 1"}, None)
    assert (both.shard_count, both.shard_ids) == (4, (1, 3))
    alone = load_settings({"DISCORD_SHARD_COUNT": "2", "SERVE_WEBHOOKS": "false"}, None)
    assert (alone.shard_count, alone.shard_ids, alone.serve_webhooks) == (2, None, False)
    default = load_settings({}, None)
    assert (default.shard_count, default.shard_ids, default.serve_webhooks) == (None, None, True)


def test_the_database_password_never_shows(caplog: pytest.LogCaptureFixture) -> None:
    url = "postgresql://bot:pg-pass-4417@db.internal:5432/chatsight"
    settings = load_settings({"DATABASE_URL": url}, None)
    assert settings.backend == "postgresql"
    assert "pg-pass-4417" not in repr(settings)
    assert dict(shown(settings))["DATABASE_URL"] == (
        "postgresql://bot:********@db.internal:5432/chatsight"
    )
    logger = logging.getLogger("test.masking.database")
    logger.addFilter(SecretMaskingFilter(settings.secrets()))
    with caplog.at_level(logging.INFO, logger="test.masking.database"):
        logger.info("could not connect to %s", url)
    assert "pg-pass-4417" not in caplog.text


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_a_postgresql_database_with_its_pool_and_statement_bounds(scheme: str) -> None:
    settings = load_settings(
        {
            "DATABASE_URL": f"{scheme}://bot@db.internal:5432/chatsight",
            "DATABASE_POOL_SIZE": "4",
            "DATABASE_STATEMENT_TIMEOUT_SECONDS": "2.5",
        },
        None,
    )
    assert settings.database_url == f"{scheme}://bot@db.internal:5432/chatsight"
    assert (settings.database_pool_size, settings.database_statement_timeout_seconds) == (4, 2.5)
    default = load_settings({}, None)
    assert (default.database_pool_size, default.database_statement_timeout_seconds) == (10, 10.0)
