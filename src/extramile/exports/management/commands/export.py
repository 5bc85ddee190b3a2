"""`extramile export`: the customers a user may see as CSV, vCard 4.0 or JSON; or one customer."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from extramile import clock
from extramile.accounts.arguments import find_user
from extramile.book.models import Customer
from extramile.exports import audit, csvfile, jsonfile, vcard
from extramile.exports.models import AuditAction

FORMATS = ("csv", "vcard", "json")


class Command(BaseCommand):
    help = (
        "Export the customers USER may see as CSV (spreadsheet-safe), vCard 4.0 or the full JSON "
        "export; --customer ID exports everything about one customer as JSON. Writes to --output "
        "(written whole or not at all) or to standard output."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", default="csv", help="csv (default), vcard or json")
        parser.add_argument("--user", help="whose view of the book (required with several users)")
        parser.add_argument("--output", "-o", help="the file to write (default: standard output)")
        parser.add_argument("--customer", help="one customer's id: everything about them, as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = options["format"].strip().lower()
        if fmt not in FORMATS:
            raise CommandError(
                f"--format: {options['format']!r} is not a format: use csv, vcard or json.",
                returncode=2,
            )
        user = find_user(options["user"])
        if not user.is_active:
            raise CommandError(f"{user.username} is not an active user.", returncode=2)
        now = clock.now()
        book = Customer.objects.visible_to(user)
        if options["customer"] is not None:
            text = options["customer"].strip()
            customer = book.filter(pk=int(text)).first() if text.isdigit() else None
            if customer is None:
                raise CommandError(
                    f"There is no customer {text!r} that {user.username} can see.", returncode=2
                )
            document = jsonfile.customer_document(user, customer, now)
            pieces: Iterator[str] = iter([jsonfile.customer_json(document)])
            what, counts, customer_id = "customer", jsonfile.customer_counts(document), customer.pk
        else:
            if fmt == "csv":
                pieces = csvfile.lines(book)
            elif fmt == "vcard":
                pieces = vcard.cards(book)
            else:
                pieces = jsonfile.stream_book(user, now)
            what, counts, customer_id = f"book as {fmt}", {"customers": book.count()}, None
        self.write(pieces, options["output"])
        audit.record(user, AuditAction.EXPORT, what, now, "cli", customer_id, counts)
        if options["output"]:
            total = counts.get("customers", 0)
            self.stderr.write(
                f"Wrote {total:,} customer{'s' if total != 1 else ''} to {options['output']}."
            )

    def write(self, pieces: Iterator[str], output: str | None) -> None:
        if not output or output == "-":
            for piece in pieces:
                sys.stdout.write(piece)
            sys.stdout.flush()
            return
        target = Path(output)
        if target.is_dir():
            raise CommandError(f"--output: {output} is a directory; name a file.", returncode=2)
        if not target.parent.exists():
            raise CommandError(
                f"--output: the folder {target.parent} does not exist.", returncode=2
            )
        # Written beside the target and renamed at the end: a failure leaves no half file.
        try:
            fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        except OSError as error:
            raise CommandError(
                f"--output: cannot write in {target.parent}: {(error.strerror or str(error)).lower()}.",
                returncode=2,
            ) from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
                for piece in pieces:
                    out.write(piece)
            os.replace(temp, target)
        except OSError as error:
            Path(temp).unlink(missing_ok=True)
            raise CommandError(
                f"--output: cannot write {output}: {(error.strerror or str(error)).lower()}.",
                returncode=1,
            ) from None
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
