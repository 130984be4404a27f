"""An online copy of a SQLite database, consistent while the bot goes on writing.

SQLite's backup API run in one step reads every page inside one read transaction, so the copy
is the database as of one commit: every row committed before it began, none half-written. In
WAL mode that read never blocks the bot's writer, so the bot need not stop. The copy is written
beside its target and renamed into place only once complete and flushed to disk, so a crash or
a full disk never leaves a file that looks like a backup but is not one.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

from bot.errors import ConfigError


class BackupRefused(ConfigError):
    """The backup cannot be taken as asked; the message says why and what to do."""


def backup_sqlite(database: Path, target: Path) -> int:
    """Copy ``database`` to ``target`` (which must not exist); the number of bytes written."""
    if not database.is_file():
        raise BackupRefused(f"backup: there is no SQLite database at {database}")
    if target.exists():
        raise BackupRefused(f"backup: {target} exists; give a new file name")
    if not target.parent.is_dir():
        raise BackupRefused(f"backup: the directory {target.parent} does not exist")
    partial = target.with_name(f".{target.name}.partial")
    try:
        # mode=ro: a backup must never change (or create, or migrate) the database it copies.
        with (
            closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)) as source,
            closing(sqlite3.connect(partial)) as copy,
        ):
            source.backup(copy)
        _flush(partial)
        os.replace(partial, target)
        _flush(target.parent)
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


def _flush(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
