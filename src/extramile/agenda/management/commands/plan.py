from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from extramile import clock
from extramile.accounts.arguments import find_user, parse_date
from extramile.accounts.models import User
from extramile.agenda import engine


class Command(BaseCommand):
    help = (
        "Plan the extra-mile actions of a day for every active user (or one). Without --date, "
        "each user's own local today. Safe to run again: nothing is duplicated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="the day to plan, YYYY-MM-DD (default: local today)")
        parser.add_argument("--user", help="plan for this username only")

    def handle(self, *args: Any, **options: Any) -> None:
        now = clock.now()
        day = parse_date(options["date"])
        owners = User.objects.filter(is_active=True)
        if options["user"]:
            owners = owners.filter(pk=find_user(options["user"]).pk)
        summaries = [engine.plan(day, now, owners)] if day else engine.plan_local_today(now, owners)
        for summary in summaries:
            parts = ", ".join(f"{name} {count}" for name, count in summary.planned.items() if count)
            prepared = "".join(
                f"; {count} {name} planned ahead"
                for name, count in summary.prepared.items()
                if count
            )
            self.stdout.write(
                f"{summary.day}: {summary.total} actions ({parts}); {summary.created} new"
                + prepared
                + (f"; {summary.missed} missed" if summary.missed else "")
            )
