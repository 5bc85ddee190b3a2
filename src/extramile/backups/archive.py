"""The backup archive: one tar file (gzip-compressed, mode 600) holding

- ``extramile-backup.json``: the format, the engine, when it was taken, ExtraMile's version and
  the row count of every table in the copy (the counts the restore is verified against);
- ``keys.json``: the secret key (unsubscribe links are signed with it), its fallbacks and the
  mailbox keys (``EXTRAMILE_MAILBOX_KEY``; without them the mailbox passwords are encrypted
  with a key derived from the secret key);
- ``database.sqlite3`` (a copy made by ``VACUUM INTO``) or ``database.pgdump`` (``pg_dump``'s
  custom format).

It is written beside its final name and renamed when complete, so a backup that fails half-way
never leaves a file that looks whole.
"""

from __future__ import annotations

import io
import json
import os
import tarfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

FORMAT = 1
MANIFEST = "extramile-backup.json"
KEYS = "keys.json"
DATABASE = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is one sentence for the operator."""


@dataclass
class Manifest:
    engine: str  # "sqlite" or "postgresql" (Django's vendor name)
    created_at: str  # ISO 8601, UTC
    version: str  # ExtraMile's
    counts: dict[str, int]  # rows per table, in the copy
    format: int = FORMAT

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


@dataclass
class Keys:
    secret_key: str
    secret_key_fallbacks: list[str] = field(default_factory=list)
    mailbox_keys: list[str] = field(default_factory=list)


def write(path: Path, manifest: Manifest, keys: Keys, database: Path) -> int:
    """Write the archive to ``path`` (which must not exist); its size in bytes."""
    partial = path.with_name(path.name + ".partial")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as error:
        raise BackupError(f"Cannot write {path}: {error.strerror}.") from None
    try:
        with os.fdopen(descriptor, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
                _add(tar, MANIFEST, asdict(manifest))
                _add(tar, KEYS, asdict(keys))
                tar.add(database, arcname=DATABASE[manifest.engine], recursive=False)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"Cannot write {path}: {error.strerror or error}.") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path.stat().st_size


def _add(tar: tarfile.TarFile, name: str, content: dict[str, Any]) -> None:
    data = json.dumps(content, indent=1, sort_keys=True).encode()
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


@dataclass
class Archive:
    path: Path
    manifest: Manifest
    keys: Keys
    tar: tarfile.TarFile

    def extract_database(self, into: Path) -> Path:
        """The database member, written to ``into`` (a folder); its path."""
        name = DATABASE[self.manifest.engine]
        target = into / name
        with self._member(name) as source, target.open("wb") as out:
            while chunk := source.read(1024 * 1024):
                out.write(chunk)
        return target

    def _member(self, name: str) -> IO[bytes]:
        try:
            handle = self.tar.extractfile(name)
        except KeyError:
            handle = None
        if handle is None:
            raise BackupError(f"{self.path} is incomplete: it has no {name}.")
        return handle

    def json(self, name: str) -> dict[str, Any]:
        with self._member(name) as handle:
            try:
                value = json.load(handle)
            except ValueError:
                raise BackupError(f"{self.path}: {name} is not JSON.") from None
        if not isinstance(value, dict):
            raise BackupError(f"{self.path}: {name} is not a JSON object.")
        return value


def open_archive(path: Path) -> Archive:
    """The archive at ``path``, its manifest and keys read and checked. Close ``.tar`` after."""
    try:
        tar = tarfile.open(path, mode="r:*")  # noqa: SIM115 — the caller closes it
    except FileNotFoundError:
        raise BackupError(f"{path} does not exist.") from None
    except IsADirectoryError:
        raise BackupError(f"{path} is a folder, not a backup file.") from None
    except PermissionError:
        raise BackupError(f"Cannot read {path}: permission denied.") from None
    except (tarfile.TarError, OSError, EOFError):
        raise BackupError(
            f"{path} is not an ExtraMile backup (not a tar archive, or a damaged one)."
        ) from None
    try:
        archive = Archive(path, Manifest("", "", "", {}), Keys(""), tar)
        try:
            names = set(tar.getnames())
        except (tarfile.TarError, OSError, EOFError):
            raise BackupError(f"{path} is damaged: its list of files cannot be read.") from None
        if MANIFEST not in names:
            raise BackupError(f"{path} is not an ExtraMile backup (it has no {MANIFEST}).")
        raw = archive.json(MANIFEST)
        if not isinstance(raw.get("format"), int) or raw["format"] > FORMAT:
            raise BackupError(
                f"{path} was made by a newer ExtraMile (backup format {raw.get('format')!r}); "
                "restore it with that version."
            )
        try:
            archive.manifest = Manifest(
                engine=str(raw["engine"]),
                created_at=str(raw["created_at"]),
                version=str(raw["version"]),
                counts={str(k): int(v) for k, v in dict(raw["counts"]).items()},
                format=raw["format"],
            )
            keys = archive.json(KEYS)
            archive.keys = Keys(
                secret_key=str(keys["secret_key"]),
                secret_key_fallbacks=[str(k) for k in keys.get("secret_key_fallbacks", [])],
                mailbox_keys=[str(k) for k in keys.get("mailbox_keys", [])],
            )
        except (KeyError, TypeError, ValueError) as error:
            raise BackupError(f"{path}: the backup's description is damaged ({error}).") from None
        if archive.manifest.engine not in DATABASE:
            raise BackupError(f"{path}: unknown database engine {archive.manifest.engine!r}.")
        if DATABASE[archive.manifest.engine] not in names:
            raise BackupError(f"{path} is incomplete: it has no database.")
        return archive
    except BaseException:
        tar.close()
        raise
