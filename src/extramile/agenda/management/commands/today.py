from __future__ import annotations

import io
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from extramile import clock
from extramile.accounts.arguments import find_user, parse_date
from extramile.agenda.models import Action
from extramile.agenda.services import today


def as_json(action: Action) -> dict[str, Any]:
    customer = action.customer
    return {
        "id": action.pk,
        "kind": action.kind,
        "key": action.key,
        "title": action.title,
        "detail": action.detail,
        "customer": {"id": customer.pk, "name": customer.full_name} if customer else None,
        "due": action.due_on.isoformat(),
        "priority": action.priority,
        "priority_label": action.get_priority_display(),
        "status": action.status,
    }


class Command(BaseCommand):
    help = "Print a user's agenda for a day: most important first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", help="username (needed when there is more than one user)")
        parser.add_argument("--date", help="YYYY-MM-DD (default: the user's local today)")
        parser.add_argument("--json", action="store_true", help="print one JSON array")

    def handle(self, *args: Any, **options: Any) -> None:
        user = find_user(options["user"])
        now = clock.now()
        day = parse_date(options["date"]) or user.local_date(now)
        actions = list(today(user, day))
        if options["json"]:
            self.stdout.write(
                json.dumps([as_json(a) for a in actions], ensure_ascii=False, indent=2)
            )
            return
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"Today for {user} — {day:%A %d %B %Y}", title_justify="left")
        for column in ("priority", "due", "what", "customer"):
            table.add_column(column)
        for action in actions:
            table.add_row(
                action.get_priority_display(),
                action.due_on.isoformat(),
                action.title,
                action.customer.full_name if action.customer else "",
            )
        if not actions:
            self.stdout.write(f"Nothing due for {user} on {day}: a clear day.")
            return
        buffer = io.StringIO()
        Console(file=buffer, width=120).print(table)
        self.stdout.write(buffer.getvalue().rstrip("\n"))
