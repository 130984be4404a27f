"""One process per SQLite database: an exclusive lock on a file beside it, held while open.

SQLite keeps concurrent writes apart, but it cannot tell one process of another's changes
(``ChangeFeed`` in bot/store/interface/): a second process would verify with stale secrets, act
on stale settings and not hear of new deliveries. So a second process on the same file is
refused at start-up, in one line that says what to do instead (PostgreSQL, which several
processes share), rather than left to run beside the first.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from bot.errors import ConfigError


class DatabaseInUse(ConfigError):
    """Another process has this SQLite database open."""

    def __init__(self, database: str) -> None:
        super().__init__(
            f"DATABASE_URL: another process already uses the SQLite database {database}."
            " SQLite serves one process only; to run several, give them a shared PostgreSQL"
            " database (DATABASE_URL=postgresql://…)."
        )


class ProcessLock:
    """``flock`` on ``<database>.lock``: the kernel drops it if the process dies, so a crash
    never leaves the database locked."""

    def __init__(self, database: str) -> None:
        self._database = database
        self._path = Path(f"{database}.lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise DatabaseInUse(self._database) from None
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        """Closing the descriptor drops the lock; the file stays for the next process."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
