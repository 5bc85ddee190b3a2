from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from extramile import clock
from extramile.accounts.arguments import parse_date
from extramile.accounts.models import User
from extramile.runtime import digest


class Command(BaseCommand):
    help = (
        "Print the daily digest (today's agenda, yesterday's wins, the team's story, the streak), "
        "or --send it through the outbox."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", help="username (default: everyone with the digest on)")
        parser.add_argument("--date", help="YYYY-MM-DD (default: each user's local today)")
        parser.add_argument(
            "--send", action="store_true", help="queue it in the outbox and send it now"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = clock.now()
        day = parse_date(options["date"])
        if options["user"]:
            users = list(User.objects.filter(username=options["user"]))
            if not users:
                raise CommandError(f"There is no user {options['user']!r}.", returncode=2)
        else:
            users = list(
                User.objects.filter(is_active=True, digest_enabled=True).order_by("username")
            )
        queued = 0
        for user in users:
            local_day = day or user.local_date(now)
            if options["send"]:
                if not user.email:
                    self.stderr.write(f"{user.username}: no e-mail address, nothing sent.")
                    continue
                if digest.queue(user, local_day, now) is not None:
                    queued += 1
                elif not user.digest_enabled:
                    self.stderr.write(f"{user.username}: the digest is turned off.")
                continue
            composed = digest.build(user, local_day, now)
            self.stdout.write(f"To: {user.email or '(no e-mail address)'}")
            self.stdout.write(f"Subject: {composed.subject}\n")
            self.stdout.write(composed.text)
        if options["send"]:
            from extramile.outbox.sending import send_batch

            summary = send_batch(now)
            self.stdout.write(
                f"{queued} digest{'s' if queued != 1 else ''} queued; "
                f"the outbox sent {summary.sent}, failed {summary.failed}, {summary.left} left."
            )
