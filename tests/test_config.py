"""Settings: validated once, errors name the variable, secrets never show."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.app.logsetup import SecretMaskingFilter
from bot.config import Secret, load_settings
from bot.errors import ConfigError


def test_defaults_and_dotenv_under_real_environment(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("CHATSIGHT_API_KEY=from-file\nWEBHOOK_PORT=9000\n")
    settings = load_settings({"WEBHOOK_PORT": "9100"}, dotenv)
    assert settings.require_api_key().reveal() == "from-file"
    assert settings.webhook_port == 9100
    assert settings.chatsight_api_base == "https://api.chatsight.ai"
    assert settings.sqlite_path == Path("data/chatsight.db")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WEBHOOK_PORT": "http"}, "WEBHOOK_PORT: 'http' is not a port"),
        ({"WEBHOOK_PORT": "70000"}, "WEBHOOK_PORT"),
        ({"PUBLIC_BASE_URL": "example.org"}, "PUBLIC_BASE_URL: 'example.org' is not an http(s)"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"DEV_GUILD_ID": "abc"}, "DEV_GUILD_ID"),
        ({"POLL_AFTER_SECONDS": "-1"}, "POLL_AFTER_SECONDS"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
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
