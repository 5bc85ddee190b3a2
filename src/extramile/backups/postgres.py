"""PostgreSQL: ``pg_dump`` (custom format) of a snapshot the row counts are taken in, and a
restore by ``pg_restore | psql`` in one transaction.

The counts and the dump see the same moment: a ``REPEATABLE READ`` transaction counts every
table, exports its snapshot (``pg_export_snapshot()``) and stays open while ``pg_dump
--snapshot`` dumps exactly that, however many others are writing meanwhile.

The restore first drops every table, sequence and view of the schema, then runs pg_restore's
script, all in one transaction that commits only when pg_restore has ended well (psql stops at
the first error): it replaces the database whole or leaves it as it was. ``--no-owner --no-privileges``: the objects
belong to the user restoring them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.db.backends.postgresql.client import DatabaseClient

from extramile.backups.archive import BackupError
from extramile.backups.tables import count_rows

LOCK_WAIT = "60s"  # a restore waits this long for the app's transactions (DROP_EVERYTHING)

DROP_EVERYTHING = """
SET lock_timeout = '60s';
DO $$
DECLARE item record;
BEGIN
  FOR item IN SELECT viewname FROM pg_views WHERE schemaname = current_schema() LOOP
    EXECUTE format('DROP VIEW IF EXISTS %I CASCADE', item.viewname);
  END LOOP;
  FOR item IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', item.tablename);
  END LOOP;
  FOR item IN SELECT sequence_name FROM information_schema.sequences
              WHERE sequence_schema = current_schema() LOOP
    EXECUTE format('DROP SEQUENCE IF EXISTS %I CASCADE', item.sequence_name);
  END LOOP;
  -- The app's own trigger functions (team.triggers): the dump creates them again.
  FOR item IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
              JOIN pg_namespace n ON n.oid = p.pronamespace
              WHERE n.nspname = current_schema() AND p.prokind = 'f' LOOP
    EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', item.signature);
  END LOOP;
END $$;
"""


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed: install PostgreSQL's client programs "
            "(Debian: apt-get install postgresql-client)."
        )
    return found


def client(settings: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """The connection as libpq's programs take it: arguments (``-U -h -p`` and the database,
    last) and the environment (the password in ``PGPASSWORD``, never on a command line)."""
    args, env = DatabaseClient.settings_to_cmd_args_env(settings, [])
    return args[1:], {**os.environ, **(env or {})}


def first_error(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        if "ERROR:" in line or "error:" in line or "FATAL:" in line:
            return line
    return lines[0] if lines else "no message"


def snapshot(connection: Any, into: Path) -> tuple[Path, dict[str, int]]:
    """``pg_dump`` of the connection's database into the folder ``into``, and its rows per
    table, both of one snapshot."""
    pg_dump = tool("pg_dump")
    dump = into / "database.pgdump"
    args, env = client(connection.settings_dict)
    # A connection of its own: the snapshot transaction must not mix with Django's.
    from django.db import connections

    own = connections.create_connection(connection.alias)
    try:
        with own.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot_id = cursor.fetchone()[0]
            counts = count_rows(cursor, own.introspection.table_names(cursor), own.ops.quote_name)
            with tempfile.TemporaryFile() as errors:
                done = subprocess.run(
                    [
                        pg_dump,
                        "--no-password",
                        "--format=custom",
                        "--compress=0",  # the archive is compressed once, as a whole
                        f"--snapshot={snapshot_id}",
                        f"--file={dump}",
                        *args,
                    ],
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=errors,
                    check=False,
                )
                errors.seek(0)
                message = errors.read().decode(errors="replace")
            cursor.execute("COMMIT")
    finally:
        own.close()
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {first_error(message)}")
    listed = subprocess.run(
        [tool("pg_restore"), "--list", str(dump)],
        capture_output=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if listed.returncode != 0:
        raise BackupError(
            f"The dump cannot be read back: {first_error(listed.stderr.decode(errors='replace'))}"
        )
    return dump, counts


def restore(dump: Path, settings: dict[str, Any]) -> None:
    """Replace everything in the configured database's schema with ``dump``, in one transaction:
    ``BEGIN``, the drops, pg_restore's script, and ``COMMIT`` only once pg_restore has ended
    well. psql stops at the first error, and a session that ends without the ``COMMIT`` is
    rolled back by the server, so a failure anywhere changes nothing."""
    pg_restore, psql = tool("pg_restore"), tool("psql")
    args, env = client(settings)
    with tempfile.TemporaryFile() as restore_errors, tempfile.TemporaryFile() as psql_errors:
        applying = subprocess.Popen(
            [
                psql,
                "--no-password",
                "--no-psqlrc",
                "--quiet",
                "--set=ON_ERROR_STOP=1",
                "--file=-",
                *args,
            ],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_errors,
        )
        script = subprocess.Popen(
            [pg_restore, "--no-owner", "--no-privileges", "--file=-", str(dump)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=restore_errors,
        )
        assert applying.stdin is not None and script.stdout is not None
        try:
            applying.stdin.write(b"BEGIN;\n" + DROP_EVERYTHING.encode())
            while chunk := script.stdout.read(1024 * 1024):
                applying.stdin.write(chunk)
            if script.wait() == 0:
                applying.stdin.write(b"\nCOMMIT;\n")
        except BrokenPipeError:
            pass  # psql stopped at an error; its message says which
        finally:
            with contextlib.suppress(BrokenPipeError):
                applying.stdin.close()
            if script.poll() is None:
                script.kill()
            script.stdout.close()
            script.wait()
            applying.wait()
        psql_errors.seek(0)
        restore_errors.seek(0)
        if applying.returncode != 0:
            text = psql_errors.read().decode(errors="replace")
            if "lock timeout" in text:
                raise BackupError(
                    f"The database stayed busy for {LOCK_WAIT}: stop the app and the workers, "
                    "then restore again; nothing was changed."
                )
            raise BackupError(f"The restore failed, nothing was changed: {first_error(text)}")
        if script.returncode != 0:
            text = restore_errors.read().decode(errors="replace")
            raise BackupError(f"pg_restore failed, nothing was changed: {first_error(text)}")
