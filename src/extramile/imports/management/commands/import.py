"""`extramile import FILE`: customers from a CSV or vCard file into one owner's book."""

from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from extramile import clock
from extramile.accounts.arguments import find_user
from extramile.accounts.models import User
from extramile.imports import columns, services
from extramile.imports.models import ColumnMapping
from extramile.imports.validate import Problem


def not_text(header: str) -> bool:
    """A column name no spreadsheet writes: control characters (a NUL), or bytes that were not
    text in the encoding the file was read in (shown as the replacement character)."""
    return "\ufffd" in header or any(
        unicodedata.category(char) == "Cc" and char not in "\t" for char in header
    )


def check_writable(path: Path, option: str) -> None:
    """Before anything is imported: ``path`` can be written (a rejects file that cannot be written
    at the end would lose the rejected rows)."""
    existed = path.exists()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as error:
        raise CommandError(
            f"{option}: cannot write {path}: {(error.strerror or str(error)).lower()}.",
            returncode=2,
        ) from None
    if not existed:
        path.unlink(missing_ok=True)


class Command(BaseCommand):
    help = (
        "Import customers from a CSV file (Google Contacts, Outlook, our export, or any file with "
        "--mapping) or a vCard file (2.1, 3.0, 4.0). Duplicates (same e-mail, phone, or name and "
        "postal code) are merged into the existing customer. All or nothing unless --skip-invalid."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV or vCard (.vcf) file")
        parser.add_argument(
            "--owner", help="whose book the customers go into (default: --user, or the only user)"
        )
        parser.add_argument(
            "--user",
            help="who is importing (default: the owner); a rep may import only into their own "
            "book, a manager or admin into a book they can see",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and preview only; write nothing"
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the good rows and write the others to a rejects file",
        )
        parser.add_argument(
            "--rejects", help="where to write the rejects file (default: beside FILE)"
        )
        parser.add_argument(
            "--mapping",
            help="a JSON or TOML file mapping column headers to fields, or a saved mapping's name",
        )
        parser.add_argument(
            "--save-mapping", metavar="NAME", help="save --mapping under NAME for later files"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = clock.now()
        owner, importer = self.people(options["owner"], options["user"])
        try:
            services.check_owner(importer, owner)
        except (PermissionDenied, ValidationError) as error:
            raise CommandError(
                " ".join(getattr(error, "messages", [str(error)])), returncode=2
            ) from None
        path = Path(options["file"]).expanduser()
        if options["rejects"] and options["skip_invalid"] and not options["dry_run"]:
            check_writable(Path(options["rejects"]).expanduser(), "--rejects")
        source = self.source(path, options["mapping"], options["save_mapping"], importer, now)
        self.stdout.write(
            f"Reading {path.name}: {source.format_name}"
            + (
                f" ({source.encoding}, delimiter {source.delimiter!r})"
                if source.kind == "csv"
                else ""
            )
            + f" into {owner.username}'s book"
            + (" — dry run, nothing is written." if options["dry_run"] else ".")
        )

        def problem(found: Problem) -> None:
            self.stdout.write(f"  {found}")

        console = Console(file=sys.stderr)
        with Progress(
            TextColumn("[bold]Importing"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        ) as progress:
            task = progress.add_task("import", total=source.size)
            report = services.run_import(
                source,
                owner,
                now=now,
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                rejects_path=Path(options["rejects"]) if options["rejects"] else None,
                on_problem=problem,
                on_progress=lambda done: progress.update(task, completed=done),
            )
        for merge_note in report.merges:
            what = "same person as an earlier row" if merge_note.duplicate else merge_note.customer
            self.stdout.write(f"  {merge_note.unit.capitalize()} {merge_note.number} → {what}:")
            for change in merge_note.changes:
                self.stdout.write(f"      {change}")
        if len(report.merges) == services.KEEP_MERGES:
            self.stdout.write(f"  (the first {services.KEEP_MERGES} merges are listed)")
        self.stdout.write(report.summary())
        if report.rejects_path:
            self.stdout.write(f"Rejected rows written to {report.rejects_path}")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
        elif not report.written:
            raise CommandError(
                f"{report.invalid:,} records have problems, so nothing was imported. Fix them, "
                "or import the rest with --skip-invalid.",
                returncode=1,
            )
        if options["dry_run"] and report.invalid:
            raise CommandError(
                f"{report.invalid:,} records have problems (listed above).", returncode=1
            )

    def people(self, owner_name: str | None, user_name: str | None) -> tuple[User, User]:
        if owner_name is None and user_name is None:
            users = list(User.objects.filter(is_active=True)[:2])
            if len(users) != 1:
                raise CommandError("Say whose book to import into: --owner USERNAME.", returncode=2)
            return users[0], users[0]
        owner = find_user(owner_name or user_name)
        return owner, find_user(user_name) if user_name else owner

    def source(
        self,
        path: Path,
        mapping: str | None,
        save_as: str | None,
        importer: User,
        now: Any,
    ) -> services.Source:
        columns_given: dict[str, str] | None = None
        name = ""
        try:
            if mapping:
                saved = ColumnMapping.objects.filter(name=mapping).first()
                if saved is not None and not Path(mapping).is_file():
                    columns_given, name = saved.columns, saved.name
                else:
                    columns_given = columns.read_mapping_file(Path(mapping))
                    name = Path(mapping).stem
            source = services.open_source(path, columns_given, name)
            if save_as and columns_given is not None:
                services.save_mapping(save_as, source.headers, columns_given, importer, now)
                self.stdout.write(f"Mapping saved as “{save_as}”.")
            return source
        except services.NeedsMapping as needs:
            if any(not_text(header) for header in needs.headers):
                raise CommandError(
                    f"{path.name} does not look like a CSV or vCard file: its first line is not "
                    "text (a spreadsheet saved as .xlsx, or a binary file?). Save it as CSV.",
                    returncode=2,
                ) from None
            # The suggestion is output to use (stdout); the failure is the one line on stderr.
            example = json.dumps({"columns": needs.suggestions}, indent=2)
            self.stdout.write(
                f"Fields: {', '.join(columns.FIELDS)}.\nA mapping file to start from "
                f"(save it as mapping.json, correct it, pass --mapping mapping.json):\n{example}"
            )
            raise CommandError(f"{needs}", returncode=2) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages), returncode=2) from None
