"""`extramile erase CUSTOMER_ID --user USERNAME [--yes]`: erase a customer, with an audit record."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from extramile import clock
from extramile.accounts.arguments import find_user
from extramile.exports import audit, erasure


class Command(BaseCommand):
    help = (
        "Erase a customer and every personal record about them, in one transaction, and write "
        "an audit record (who, when, how many records of each kind; not who they were). Only a "
        "manager or an admin who can see the customer may erase. Asks to type the customer's "
        "name unless --yes is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("customer", help="the customer's id")
        parser.add_argument("--user", required=True, help="who erases (a manager or an admin)")
        parser.add_argument("--yes", action="store_true", help="do not ask to type the name")

    def handle(self, *args: Any, **options: Any) -> None:
        text = options["customer"].strip()
        if not text.isdigit():
            raise CommandError(f"{text!r} is not a customer id (a number).", returncode=2)
        user = find_user(options["user"])
        now = clock.now()
        try:
            customer = erasure.find(user, int(text))
            confirm: str | None = None
            if not options["yes"]:
                if not sys.stdin.isatty():
                    raise CommandError(
                        "Confirm with --yes (there is no terminal to type the name in).",
                        returncode=2,
                    )
                counts = erasure.preview(user, customer)
                self.stdout.write(f"Erasing customer {customer.pk} deletes:")
                for key, n in counts.items():
                    self.stdout.write(f"  {n:>6}  {audit.label(key)}")
                confirm = input(f"Type the customer's name ({customer.full_name}) to confirm: ")
            record = erasure.erase(user, customer.pk, now, "cli", confirm_name=confirm)
        except erasure.ErasureRefused as refused:
            raise CommandError(str(refused), returncode=1) from None
        self.stdout.write(
            f"Erased customer {record.customer_id}: {record.total} records deleted or unlinked "
            f"(audit record {record.pk})."
        )
        for key, n in record.counts.items():
            self.stdout.write(f"  {n:>6}  {audit.label(key)}")
