"""``extramile backup`` and ``extramile restore``: one command each, on SQLite and PostgreSQL.

A backup is a consistent copy of the database taken while the app serves and writes (see
``sqlite.py`` and ``postgres.py``), the row count of every table in that copy, and the keys the
data needs: the secret key (unsubscribe links in e-mails already sent are signed with it) and
the mailbox keys. A restore refuses a database that holds data unless forced, replaces the
database whole, puts the keys back where it can (and says what to set where it cannot), and
verifies the restored database against the counts.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor

from extramile.backups import postgres, sqlite
from extramile.backups.archive import (
    ENGINE_NAMES,
    BackupError,
    Keys,
    Manifest,
    open_archive,
    write,
)
from extramile.backups.tables import data_tables, live_counts


def extramile_version() -> str:
    try:
        return version("extramile")
    except PackageNotFoundError:  # pragma: no cover — run from a source tree
        return "unknown"


def default_path(now: dt.datetime) -> Path:
    return settings.DATA_DIR / "backups" / f"extramile-{now:%Y-%m-%dT%H%M%SZ}.tar.gz"


def current_keys() -> Keys:
    return Keys(
        secret_key=settings.SECRET_KEY,
        secret_key_fallbacks=list(getattr(settings, "SECRET_KEY_FALLBACKS", [])),
        mailbox_keys=list(getattr(settings, "EXTRAMILE_MAILBOX_KEYS", [])),
    )


@dataclass
class BackupResult:
    path: Path
    manifest: Manifest
    size: int


def backup(path: Path | None, now: dt.datetime, alias: str = "default") -> BackupResult:
    """Write a backup of the database to ``path`` (default: the data folder's ``backups/``)."""
    connection = connections[alias]
    if path is None:
        path = default_path(now)
        path.parent.mkdir(mode=0o700, exist_ok=True)
    path = path.expanduser().absolute()
    if path.exists():
        raise BackupError(f"{path} exists already: give another file name.")
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")
    if not os.access(path.parent, os.W_OK):
        raise BackupError(f"Cannot write to {path.parent}: permission denied.")
    engine = engine_of(connection)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".extramile-backup-") as work:
        if engine == "sqlite":
            copy, counts = sqlite.snapshot(Path(connection.settings_dict["NAME"]), Path(work))
        else:
            copy, counts = postgres.snapshot(connection, Path(work))
        manifest = Manifest(
            engine=engine,
            created_at=now.astimezone(dt.UTC).isoformat(timespec="seconds"),
            version=extramile_version(),
            counts=counts,
        )
        size = write(path, manifest, current_keys(), copy)
    return BackupResult(path, manifest, size)


def engine_of(connection: Any) -> str:
    if connection.vendor not in ENGINE_NAMES:
        raise BackupError(f"Backups of a {connection.vendor} database are not supported.")
    return str(connection.vendor)


@dataclass
class TableCheck:
    name: str
    backup: int | None  # None: not in the backup
    restored: int | None  # None: not in the restored database

    @property
    def ok(self) -> bool:
        return self.backup == self.restored


@dataclass
class RestoreResult:
    manifest: Manifest
    target: str
    tables: list[TableCheck]
    notes: list[str] = field(default_factory=list)  # what was done with the keys
    warnings: list[str] = field(default_factory=list)  # what the operator must still do

    @property
    def mismatched(self) -> list[TableCheck]:
        return [table for table in self.tables if not table.ok]


def describe(connection: Any) -> str:
    if connection.vendor == "sqlite":
        return str(connection.settings_dict["NAME"])
    settings_dict = connection.settings_dict
    host = settings_dict.get("HOST") or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"{settings_dict['NAME']} on {host}{port}"


def restore(path: Path, *, force: bool, now: dt.datetime, alias: str = "default") -> RestoreResult:
    """Replace the database with the backup at ``path``; refuses one that holds data unless
    ``force``. Raises BackupError (nothing changed) before the database is replaced; after it,
    a mismatch of the counts is in the result (``mismatched``)."""
    connection = connections[alias]
    archive = open_archive(path.expanduser())
    try:
        manifest = archive.manifest
        engine = engine_of(connection)
        if manifest.engine != engine:
            raise BackupError(
                f"{path} is a backup of a {ENGINE_NAMES[manifest.engine]} database and this "
                f"one is {ENGINE_NAMES[engine]}: restore it where EXTRAMILE_DATABASE_URL is "
                f"{ENGINE_NAMES[manifest.engine]}."
            )
        try:
            found = data_tables(live_counts(connection))
        except DatabaseError as error:
            raise BackupError(
                f"Cannot read the database {describe(connection)}: {error}".splitlines()[0]
            ) from None
        if found and not force:
            shown = ", ".join(f"{name} ({rows:,})" for name, rows in list(found.items())[:3])
            raise BackupError(
                f"The database {describe(connection)} is not empty ({len(found)} tables hold "
                f"rows: {shown}{', …' if len(found) > 3 else ''}); the restore would replace "
                "all of it: add --force to do so."
            )
        connection.close()  # nothing of ours holds the database while it is replaced
        # Where the database is extracted to: beside the SQLite file, or in the data folder
        # (the archive's own folder may be a read-only mount).
        work_dir = (
            Path(connection.settings_dict["NAME"]).parent
            if engine == "sqlite"
            else Path(settings.DATA_DIR)
        )
        with tempfile.TemporaryDirectory(dir=work_dir, prefix=".extramile-restore-") as work:
            copy = archive.extract_database(Path(work))
            if engine == "sqlite":
                sqlite.restore(copy, Path(connection.settings_dict["NAME"]), manifest.counts)
            else:
                postgres.restore(copy, connection.settings_dict)
    finally:
        archive.tar.close()
    connection.close()
    try:
        restored = live_counts(connection)
    except DatabaseError as error:
        raise BackupError(
            f"Verify failed: the restored database cannot be read ({error})".splitlines()[0]
        ) from None
    names = sorted(set(manifest.counts) | set(restored))
    result = RestoreResult(
        manifest,
        describe(connection),
        [TableCheck(name, manifest.counts.get(name), restored.get(name)) for name in names],
    )
    restore_keys(archive.keys, result, now)
    check_schema(connection, result)
    connection.close()
    return result


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to a new file readable by its owner only (an old one is replaced)."""
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text + "\n")


def restore_keys(keys: Keys, result: RestoreResult, now: dt.datetime) -> None:
    """Put the backup's keys where the app reads them, or say what to set.

    The secret key is ``EXTRAMILE_SECRET_KEY`` or, without it, the data folder's ``secret_key``
    file: the file is replaced (the key it held is kept beside it); a key in the environment
    cannot be changed from here, so the backup's is written to a file and the operator told.
    The mailbox keys live only in the environment: likewise."""
    data_dir: Path = settings.DATA_DIR
    stamp = f"{now.astimezone(dt.UTC):%Y-%m-%dT%H%M%SZ}"
    fallbacks = list(getattr(settings, "SECRET_KEY_FALLBACKS", []))
    from_environment = os.environ.get("EXTRAMILE_SECRET_KEY") is not None
    if keys.secret_key == settings.SECRET_KEY:
        result.notes.append("Secret key: the backup's is the one in use.")
        secret_keys = [settings.SECRET_KEY, *fallbacks]
    elif keys.secret_key in fallbacks:
        result.notes.append("Secret key: the backup's is in EXTRAMILE_SECRET_KEY_FALLBACKS.")
        secret_keys = [settings.SECRET_KEY, *fallbacks]
    elif not from_environment:
        key_file = data_dir / "secret_key"
        kept = data_dir / f"secret_key.replaced-{stamp}"
        if key_file.exists():
            key_file.replace(kept)
        write_private(key_file, keys.secret_key)
        result.notes.append(
            f"Secret key: the backup's, written to {key_file} (the one it replaces is kept as "
            f"{kept.name}); restart the app and the workers to use it."
        )
        secret_keys = [keys.secret_key, *fallbacks]
    else:
        key_file = data_dir / "secret_key.from-backup"
        write_private(key_file, keys.secret_key)
        result.warnings.append(
            "EXTRAMILE_SECRET_KEY is not the backup's secret key: links in e-mails sent before "
            "the backup (unsubscribe) fail until EXTRAMILE_SECRET_KEY, or "
            f"EXTRAMILE_SECRET_KEY_FALLBACKS, holds the key written to {key_file}."
        )
        secret_keys = [settings.SECRET_KEY, *fallbacks]
    missing_fallbacks = [k for k in keys.secret_key_fallbacks if k not in secret_keys]
    if missing_fallbacks:
        key_file = data_dir / "secret_key_fallbacks.from-backup"
        write_private(key_file, ",".join(missing_fallbacks))
        result.warnings.append(
            f"The backup had {len(missing_fallbacks)} fallback secret key(s) this installation "
            f"lacks: add the ones in {key_file} to EXTRAMILE_SECRET_KEY_FALLBACKS."
        )
    mailbox_keys = list(getattr(settings, "EXTRAMILE_MAILBOX_KEYS", []))
    if any(key not in mailbox_keys for key in keys.mailbox_keys):
        key_file = data_dir / "mailbox_key.from-backup"
        write_private(key_file, ",".join(keys.mailbox_keys))
        result.warnings.append(
            "EXTRAMILE_MAILBOX_KEY is not the backup's: set it to the keys written to "
            f"{key_file} (the stored mailbox passwords are encrypted with them)."
        )
    check_mailbox_passwords(mailbox_keys, secret_keys, result)


def check_mailbox_passwords(
    mailbox_keys: list[str], secret_keys: list[str], result: RestoreResult
) -> None:
    """Count the stored mailbox passwords the app, as configured, will not be able to read."""
    from cryptography.fernet import InvalidToken

    from extramile.mailsync.crypto import fernet_for
    from extramile.mailsync.models import MailboxConnection

    try:
        tokens = list(MailboxConnection.objects.values_list("password_encrypted", flat=True))
    except DatabaseError:
        return  # an older schema: ``check_schema`` says to migrate
    if not tokens:
        return
    keys = fernet_for(mailbox_keys, secret_keys)
    unreadable = 0
    for token in tokens:
        try:
            keys.decrypt(token.encode("ascii"))
        except (InvalidToken, ValueError):
            unreadable += 1
    if unreadable:
        result.warnings.append(
            f"{unreadable} of {len(tokens)} stored mailbox passwords cannot be read with the keys "
            "this installation will use: set the keys above, or their users enter them again."
        )
    else:
        result.notes.append(
            f"Mailbox passwords: all {len(tokens)} can be read with the keys in use."
        )


def check_schema(connection: Any, result: RestoreResult) -> None:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    unknown = set(executor.loader.applied_migrations) - set(executor.loader.graph.nodes)
    if plan:
        result.warnings.append(
            f"The backup was made by an older version ({len(plan)} migrations to apply): "
            "run 'extramile migrate' before starting the app."
        )
    if unknown:
        result.warnings.append(
            f"The backup was made by a newer version ({len(unknown)} migrations this one does "
            "not know): run that version, or a newer one."
        )
