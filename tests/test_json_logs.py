"""LOG_FORMAT=json: what a log shipper reads, one object a line, with every secret masked."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from bot.app.logsetup import configure_logging
from bot.config import load_settings


@pytest.fixture
def restored_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_json_lines_carry_the_context_and_mask_secrets(
    restored_root: None, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = load_settings(
        {"CHATSIGHT_API_KEY": "key-123456", "DISCORD_TOKEN": "tok-98765", "LOG_FORMAT": "JSON"},
        None,
    )
    assert settings.log_format == "json"
    configure_logging("INFO", settings.secrets(), settings.log_format)
    log = logging.getLogger("chatsight.test")
    log.info("posted for %s", "abc", extra={"session": "abc", "channel": 42})
    log.debug("not at INFO")
    try:
        raise RuntimeError("Discord refused tok-98765")
    except RuntimeError:
        log.exception("calling with key-123456 failed", extra={"guild": 7})

    err = capsys.readouterr().err
    assert "key-123456" not in err
    assert "tok-98765" not in err
    lines = [json.loads(line) for line in err.splitlines()]
    assert len(lines) == 2
    posted, failed = lines
    assert posted["level"] == "INFO"
    assert posted["logger"] == "chatsight.test"
    assert posted["message"] == "posted for abc"
    assert (posted["session"], posted["channel"]) == ("abc", 42)
    assert "guild" not in posted
    assert posted["time"].endswith("+00:00")
    assert failed["message"] == "calling with ******** failed"
    assert failed["guild"] == 7
    assert "RuntimeError: Discord refused ********" in failed["exception"]


def test_text_stays_the_default(restored_root: None, capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_settings({}, None)
    configure_logging("INFO", settings.secrets(), settings.log_format)
    logging.getLogger("chatsight.test").warning("plain %d", 1)
    line = capsys.readouterr().err.strip()
    assert line.endswith("WARNING chatsight.test: plain 1")
