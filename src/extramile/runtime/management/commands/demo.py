from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from extramile.accounts.models import User
from extramile.book.models import Customer
from extramile.runtime.demo import DEFAULT_PASSWORD, create_demo


class Command(BaseCommand):
    help = "Create a deterministic demo company with reps, a manager, an admin and a customer book."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=2000)
        parser.add_argument("--reps", type=int, default=4)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="for every demo login")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the book has customers"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Customer.objects.exists():
            self.stdout.write("The book has customers already: no demo data added.")
            return
        if not 1 <= options["customers"] <= 5_000_000:
            raise CommandError("--customers must be between 1 and 5,000,000.")
        if not 1 <= options["reps"] <= 1000:
            raise CommandError("--reps must be between 1 and 1,000.")
        taken = User.objects.filter(username__in=["admin", "manager", "rep1"]).exists()
        if taken:
            raise CommandError(
                "Demo users exist already: use a fresh EXTRAMILE_DATA_DIR (or --if-empty)."
            )
        total = options["customers"]
        if sys.stdout.isatty() and total >= 5000:
            from rich.progress import Progress

            with Progress() as bar:
                task = bar.add_task("Writing customers", total=total)
                result = create_demo(
                    total,
                    options["reps"],
                    options["seed"],
                    options["password"],
                    progress=lambda n: bar.advance(task, n),
                )
        else:
            result = create_demo(total, options["reps"], options["seed"], options["password"])
        extras = ", ".join(f"{count} {name}" for name, count in result.extras.items())
        self.stdout.write(
            f"Demo company {result.company.name}: {result.customers} customers in "
            f"{result.households} households, {result.relationships} family links, "
            f"{result.facts} facts, {result.key_dates} key dates, {result.sales} sales, "
            f"{result.referrals} referrals, {result.promises} promises; {extras}."
        )
        self.stdout.write("Log in with:")
        for username, role, password in result.logins:
            self.stdout.write(f"  {username:<10} {password:<20} ({role})")
