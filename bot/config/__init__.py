"""Settings, read once from the environment (optionally ``.env``) and validated at start-up.

Every error names the variable and what is wrong with it, so an operator can fix a deployment
from one log line. Values a command does not need are not demanded: ``require_*`` accessors raise
only when a command actually asks for the value.

May import: ``bot.errors`` and python-dotenv; nothing else of the bot, since every package reads
its settings from here.
"""

from __future__ import annotations

from bot.config.environment import load_settings
from bot.config.secret import Secret, masked_url
from bot.config.settings import POSTGRES_SCHEMES, VARIABLES, Settings, shown

__all__ = [
    "POSTGRES_SCHEMES",
    "VARIABLES",
    "Secret",
    "Settings",
    "load_settings",
    "masked_url",
    "shown",
]
