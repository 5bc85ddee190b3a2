from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from extramile import clock
from extramile.accounts.arguments import find_user, parse_date
from extramile.accounts.models import User
from extramile.articles.delivery import send_due, sync_letters, sync_outbox
from extramile.articles.importing import import_file
from extramile.articles.models import ArticleMailing
from extramile.articles.planning import plan_mailings


class Command(BaseCommand):
    help = (
        "Articles every few months: import the library from a CSV, RSS or Atom file, list a "
        "day's mailings, or send them (through the outbox)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="add a CSV, RSS or Atom file's articles")
        imp.add_argument("file")
        show = sub.add_parser("list", help="the day's mailings: customer, article, channel, status")
        show.add_argument("--date", help="YYYY-MM-DD (default: today)")
        show.add_argument("--user", help="this user's mailings (a manager: their team's)")
        send = sub.add_parser("send", help="plan if needed, queue the day's e-mails and send them")
        send.add_argument("--date", help="YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        now = clock.now()
        day = parse_date(options.get("date")) or timezone.localdate(now)
        if options["action"] == "import":
            self.import_(Path(options["file"]), now)
        elif options["action"] == "list":
            self.list_(day, options.get("user"), now)
        else:
            self.send(day, now)

    def import_(self, path: Path, now: Any) -> None:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.", returncode=2) from None
        try:
            result = import_file(data, now)
        except ValidationError as error:
            raise CommandError(f"{path}: {' '.join(error.messages)}") from None
        except (csv.Error, UnicodeDecodeError) as error:
            raise CommandError(
                f"{path} is not a CSV, RSS or Atom file we can read ({error}).", returncode=2
            ) from None
        for problem in result.errors:
            self.stderr.write(problem)
        self.stdout.write(f"{path.name}: {result.summary()}.")

    def list_(self, day: Any, username: str | None, now: Any) -> None:
        mailings = ArticleMailing.objects.filter(planned_on=day)
        owners = User.objects.filter(is_active=True)
        if username:
            user = find_user(username)
            owners = User.objects.visible_to(user).active()
            mailings = mailings.visible_to(user)
        plan_mailings(day, day, now, owners, today=timezone.localdate(now))
        rows = mailings.select_related("customer", "article").order_by(
            "owner__username", "customer__last_name", "id"
        )
        count = 0
        for mailing in rows:
            title = mailing.article.title if mailing.article else "(no article)"
            status = mailing.get_status_display()
            if mailing.reason:
                status += f": {mailing.reason}"
            self.stdout.write(
                f"{mailing.customer.full_name}\t{title}\t{mailing.get_channel_display()}\t{status}"
            )
            count += 1
        self.stdout.write(f"{count} mailing{'s' if count != 1 else ''} on {day:%Y-%m-%d}.")

    def send(self, day: Any, now: Any) -> None:
        from extramile.outbox.sending import send_batch

        sync_letters(day, now)
        counts = send_due(day, now)
        summary = send_batch(clock.now())
        synced = sync_outbox(clock.now())
        self.stdout.write(
            f"{day:%Y-%m-%d}: {counts['emailed']} e-mailed, {counts['posted']} posted, "
            f"{counts['skipped']} skipped, {counts['held_back']} held back; "
            f"outbox: {summary.sent} sent, {summary.failed} failed, {summary.left} left"
            f" ({synced['sent']} mailings marked sent)."
        )
        if summary.error:
            raise CommandError(summary.error)
