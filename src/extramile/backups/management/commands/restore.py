"""`extramile restore FILE [--force]`: the database and keys of a backup, verified."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from extramile import clock
from extramile.backups.archive import ENGINE_NAMES, BackupError
from extramile.backups.services import restore


def shown(rows: int | None) -> str:
    return "—" if rows is None else f"{rows:,}"


class Command(BaseCommand):
    help = (
        "Restore a backup made by 'extramile backup': replaces the whole database (refused "
        "when it holds data, unless --force), puts the secret key back, and compares every "
        "table's row count with the backup's. Stop the app and the workers first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the backup archive")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database that holds data (everything in it is lost)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            done = restore(path, force=options["force"], now=clock.now())
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = done.manifest
        self.stdout.write(
            f"Restored {path.name} ({ENGINE_NAMES[manifest.engine]}, taken {manifest.created_at}"
            f" by ExtraMile {manifest.version}) into {done.target}."
        )
        self.stdout.write(f"{'table':<44} {'backup':>12} {'restored':>12}")
        for table in done.tables:
            mark = "" if table.ok else "  ← differs"
            self.stdout.write(
                f"{table.name:<44} {shown(table.backup):>12} {shown(table.restored):>12}{mark}"
            )
        for note in done.notes:
            self.stdout.write(note)
        for warning in done.warnings:
            self.stderr.write(f"Warning: {warning}")
        if done.mismatched:
            first = done.mismatched[0]
            raise CommandError(
                f"Verify failed: {len(done.mismatched)} tables differ from the backup "
                f"({first.name}: {shown(first.backup)} in the backup, {shown(first.restored)} "
                "restored)."
            )
        self.stdout.write(
            f"Verified: all {len(done.tables)} tables have the backup's row counts "
            f"({manifest.rows:,} rows)."
        )
