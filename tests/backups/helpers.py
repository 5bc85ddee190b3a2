"""Databases of the backup tests' own (not the test database), and the processes that use them."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.processes import EXTRAMILE

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("EXTRAMILE_TEST_DATABASE_URL", "")
ENGINES = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not PG_URL, reason="EXTRAMILE_TEST_DATABASE_URL is not set"),
        ],
    ),
]
OWN_SETTINGS = (
    "EXTRAMILE_DATABASE_URL",
    "EXTRAMILE_SECRET_KEY",
    "EXTRAMILE_SECRET_KEY_FALLBACKS",
    "EXTRAMILE_MAILBOX_KEY",
)


@dataclass
class Database:
    """A database the test reads directly (not through Django: it is not the test database)."""

    url: str

    @property
    def engine(self) -> str:
        return "sqlite" if self.url.startswith("sqlite:") else "postgresql"

    def rows(self, sql: str) -> list[tuple]:
        if self.engine == "sqlite":
            with contextlib.closing(sqlite3.connect(self.url.removeprefix("sqlite:///"))) as db:
                return db.execute(sql).fetchall()
        import psycopg

        with psycopg.connect(self.url) as db:
            return db.execute(sql).fetchall()

    def execute(self, *statements: str) -> None:
        if self.engine == "sqlite":
            with contextlib.closing(sqlite3.connect(self.url.removeprefix("sqlite:///"))) as db:
                for statement in statements:
                    db.execute(statement)
                db.commit()
            return
        import psycopg

        with psycopg.connect(self.url) as db:
            for statement in statements:
                db.execute(statement)

    def count(self, sql: str) -> int:
        return int(self.rows(sql)[0][0])

    def counts(self) -> dict[str, int]:
        if self.engine == "sqlite":
            sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
        else:
            sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        return {
            name: self.count(f'SELECT count(*) FROM "{name}"')  # noqa: S608 — our tables
            for (name,) in self.rows(sql)
        }


@contextlib.contextmanager
def pg_database(name: str) -> Iterator[str]:
    """A PostgreSQL database of this test's own, new and empty; dropped after."""
    import psycopg

    parts = urlsplit(PG_URL)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    full = f"{parts.path.strip('/')}_{name}{'_' + worker if worker else ''}"
    admin = urlunsplit(parts._replace(path="/postgres"))

    def run(sql: str) -> None:
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{full}" WITH (FORCE)')
    run(f'CREATE DATABASE "{full}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{full}"))
    finally:
        run(f'DROP DATABASE IF EXISTS "{full}" WITH (FORCE)')


@contextlib.contextmanager
def two_databases(engine: str, tmp_path: Path) -> Iterator[tuple[Database, Database]]:
    """The app's database, and the one a backup is restored into (another installation)."""
    if engine == "sqlite":
        for folder in ("a", "b"):
            (tmp_path / folder).mkdir()
        yield (
            Database(f"sqlite:///{tmp_path / 'a' / 'extramile.sqlite3'}"),
            Database(f"sqlite:///{tmp_path / 'b' / 'extramile.sqlite3'}"),
        )
        return
    with contextlib.ExitStack() as stack:
        source = stack.enter_context(pg_database("backup_source"))
        target = stack.enter_context(pg_database("backup_restored"))
        yield Database(source), Database(target)


def environment(data_dir: Path, database: Database) -> dict[str, str]:
    """An installation: its data folder (where its secret key is generated) and database."""
    data_dir.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in OWN_SETTINGS}
    return {**env, "EXTRAMILE_DATA_DIR": str(data_dir), "EXTRAMILE_DATABASE_URL": database.url}


def extramile(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXTRAMILE, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def script(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tests.backups.scripts", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def wait_until(condition, what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.1)
