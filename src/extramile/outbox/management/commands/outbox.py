"""``extramile outbox send|status|retry|cancel``: the outbox from a shell."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from extramile import clock
from extramile.outbox import services
from extramile.outbox.models import OutboxMessage, Status
from extramile.outbox.sending import SendSummary, send_batch


def describe(summary: SendSummary) -> str:
    parts = [f"{summary.sent} sent", f"{summary.failed} failed", f"{summary.left} left"]
    if summary.deferred:
        parts.append(f"{summary.deferred} deferred (the server said: try later)")
    if summary.cancelled:
        parts.append(f"{summary.cancelled} cancelled (unsubscribed)")
    if summary.unknown:
        parts.append(f"{summary.unknown} unknown (a worker stopped while sending)")
    if summary.rate_limited:
        parts.append("paused by the rate limit")
    return ", ".join(parts)


class Command(BaseCommand):
    help = "Send queued e-mail, show the outbox, or retry/cancel messages a person decided about."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="send what is queued (within the rate limit)")
        send.add_argument("--limit", type=int, help="send at most this many")
        send.add_argument(
            "--wait", action="store_true", help="keep going at the rate limit until none are left"
        )
        sub.add_parser("status", help="counts by status and the latest failures")
        for name, text in (("retry", "queue failed/unknown messages again"), ("cancel", "cancel")):
            command = sub.add_parser(name, help=text)
            command.add_argument("ids", nargs="+", type=int, metavar="ID")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "send":
            self.send(options["limit"], options["wait"])
        elif action == "status":
            self.status()
        elif action == "retry":
            self.check_ids(options["ids"], services.RETRYABLE, "queued again")
            count = services.requeue(options["ids"], clock.now())
            self.stdout.write(f"{count} message(s) queued again.")
        else:
            self.check_ids(options["ids"], services.CANCELLABLE, "cancelled")
            count = services.cancel(options["ids"], "Cancelled from the command line.")
            self.stdout.write(f"{count} message(s) cancelled.")

    def check_ids(self, ids: list[int], allowed: tuple[str, ...], done: str) -> None:
        """Every id names a message that can be ``done``, or nothing is changed."""
        found = dict(OutboxMessage.objects.filter(pk__in=ids).values_list("pk", "status"))
        missing = [str(pk) for pk in dict.fromkeys(ids) if pk not in found]
        if missing:
            raise CommandError(
                f"There is no message {', '.join(missing)} in the outbox; nothing was {done}.",
                returncode=2,
            )
        wrong = [f"{pk} is {found[pk]}" for pk in dict.fromkeys(ids) if found[pk] not in allowed]
        if wrong:
            raise CommandError(
                f"Only {' or '.join(allowed)} messages can be {done} ({'; '.join(wrong)}); "
                f"nothing was {done}.",
                returncode=1,
            )

    def send(self, limit: int | None, wait: bool) -> None:
        if limit is not None and limit < 1:
            raise CommandError("--limit must be 1 or more.", returncode=2)
        remaining = limit
        while True:
            summary = send_batch(clock.now(), limit=remaining)
            self.stdout.write(describe(summary))
            if summary.error:
                raise CommandError(summary.error)
            if remaining is not None:
                remaining -= summary.sent + summary.failed + summary.deferred
            if not wait or summary.left == 0 or remaining == 0:
                return
            if summary.rate_limited or summary.sent == 0:
                time.sleep(1)

    def status(self) -> None:
        counts = services.counts()
        self.stdout.write(", ".join(f"{count} {status}" for status, count in counts.items()))
        for title, status in (("Failed", Status.FAILED), ("Unknown", Status.UNKNOWN)):
            rows = OutboxMessage.objects.filter(status=status).order_by("-id")[:20]
            for row in rows:
                self.stdout.write(f"{title} #{row.pk} to {row.to_address}: {row.error}")
