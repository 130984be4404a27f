"""Numbered plain-SQL migrations, applied in order at start-up, each in one transaction.

The applied version lives inside the database (``PRAGMA user_version``), so a copied database
file always knows its own schema.
"""

from __future__ import annotations

import re
import sqlite3
from importlib import resources

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def available_migrations() -> list[tuple[int, str]]:
    found = []
    for entry in resources.files("bot.store").joinpath("migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    return sorted(found)


def migrate(db: sqlite3.Connection) -> int:
    """Bring the schema up to date and return the version now in force."""
    current = int(db.execute("PRAGMA user_version").fetchone()[0])
    for version, sql in available_migrations():
        if version <= current:
            continue
        # executescript commits first, so the BEGIN inside the script is ours to close.
        db.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;")
        current = version
    return current
