"""SQLite: the copy is ``VACUUM INTO`` (one read transaction, so a consistent snapshot however
many processes are writing: in WAL mode a reader blocks no writer), and the restore is SQLite's
online backup API from the archive's copy into the configured file (under the file's own lock, so
the app's connections see the old database or the new one, never a mix)."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from extramile.backups.archive import BackupError
from extramile.backups.tables import count_rows

BUSY_MS = 60_000


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def connect(path: Path) -> sqlite3.Connection:
    database = sqlite3.connect(path, timeout=BUSY_MS / 1000, isolation_level=None)
    database.execute(f"PRAGMA busy_timeout={BUSY_MS}")
    return database


def snapshot(source: Path, into: Path) -> tuple[Path, dict[str, int]]:
    """A consistent copy of ``source`` in the folder ``into``, and its rows per table."""
    if not source.exists():
        raise BackupError(f"There is no database at {source}: nothing to back up.")
    copy = into / "database.sqlite3"
    try:
        with contextlib.closing(connect(source)) as database:
            database.execute("VACUUM INTO ?", (str(copy),))
    except sqlite3.Error as error:
        raise BackupError(f"Cannot copy {source}: {error}.") from None
    return copy, checked_counts(copy, "The copy")


def checked_counts(path: Path, what: str, then: str = "") -> dict[str, int]:
    """Rows per table of the database file at ``path``, once SQLite found it whole."""
    try:
        with contextlib.closing(connect(path)) as database:
            problem = database.execute("PRAGMA quick_check").fetchone()[0]
            if problem != "ok":
                raise BackupError(f"{what} is damaged ({problem}){then}.")
            names = [
                row[0]
                for row in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            ]
            return count_rows(database.cursor(), names, quote)
    except sqlite3.Error as error:
        raise BackupError(f"{what} cannot be read ({error}){then}.") from None


def restore(copy: Path, target: Path, counts: dict[str, int]) -> None:
    """Replace the database at ``target`` (created if missing) with ``copy``, in one step,
    once the copy is found whole and with the ``counts`` it was backed up with."""
    found = checked_counts(copy, "The backup's database", "; nothing was changed")
    if found != counts:
        raise BackupError(
            "The backup's database does not have the row counts the backup recorded: it is "
            "damaged; nothing was changed."
        )
    try:
        with (
            contextlib.closing(connect(copy)) as source,
            contextlib.closing(connect(target)) as database,
        ):
            source.backup(database)
    except sqlite3.Error as error:
        raise BackupError(f"Cannot restore into {target}: {error}.") from None
