"""`extramile backup [FILE]`: the database, its row counts and its keys, in one archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from extramile import clock
from extramile.backups.archive import ENGINE_NAMES, BackupError
from extramile.backups.services import backup


class Command(BaseCommand):
    help = (
        "Back up the database (a consistent copy, safe while the app serves and writes: SQLite's "
        "VACUUM INTO, or pg_dump of one snapshot) with the secret key and the mailbox keys, to "
        "FILE or the data folder's backups/. The archive holds the keys: keep it as safe as "
        "the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", nargs="?", help="where to write it (default: DATA_DIR/backups/…tar.gz)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"]) if options["file"] else None
        try:
            done = backup(path, clock.now())
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = done.manifest
        if options["verbosity"] >= 2:
            for name, rows in manifest.counts.items():
                self.stdout.write(f"{name:<44} {rows:>12,}")
        self.stdout.write(
            f"Backed up {ENGINE_NAMES[manifest.engine]}: {len(manifest.counts)} tables, "
            f"{manifest.rows:,} rows as of {manifest.created_at}, with the secret key and the "
            f"mailbox keys, to {done.path} ({done.size / 1_000_000:.1f} MB)."
        )
        self.stdout.write("It holds the keys: keep it as safe as the database.")
