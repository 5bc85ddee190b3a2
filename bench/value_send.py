"""Benchmark: send 10,000 personal e-mails through the outbox to a local SMTP sink (aiosmtpd).

    python bench/value_send.py [--emails 10000] [--database-url postgres://…]

A throwaway SQLite database (or the PostgreSQL database given, which must be empty and is left
behind), one rep, one customer per e-mail. Times queueing (``outbox.compose.personal_email``) and
sending (``outbox.sending.send_batch`` over one SMTP connection, each message claimed before and
marked after the SMTP call). Target: 200 e-mails/s or more.

Each step is printed beside its lower bound, measured just before it on the same data, and the
ratio: for queueing, its own statements replayed bare (``common.bound_of``); for sending, its own
statements replayed bare plus handing the same messages, rendered beforehand, to the same sink over
one plain ``smtplib`` connection (``smtp_bound``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import smtplib
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # the lower bounds


class Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="extramile-bench-send-")
    port = free_port()
    os.environ.update(
        EXTRAMILE_DATA_DIR=workdir,
        EXTRAMILE_EMAIL_URL=f"smtp://127.0.0.1:{port}?from=outbox%40bench.example",
        DJANGO_SETTINGS_MODULE="extramile.settings",
    )
    os.environ.pop("EXTRAMILE_DATABASE_URL", None)
    if args.database_url:
        os.environ["EXTRAMILE_DATABASE_URL"] = args.database_url
    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.core.mail import get_connection
    from django.core.management import call_command

    from extramile.accounts.models import Company, User
    from extramile.book.models import Customer, EmailAddress
    from extramile.outbox.compose import personal_email
    from extramile.outbox.sending import send_batch

    call_command("migrate", verbosity=0)
    company = Company.get()
    company.name, company.street, company.city, company.postal_code = (
        "Bench Motors",
        "1 Main St",
        "Springfield",
        "12345",
    )
    company.country = "US"
    company.emails_per_minute = 100_000  # the setting's maximum: measure the machinery
    company.save()
    rep = User.objects.create_user("rep", email="rep@bench.example", first_name="Rita")
    customers = Customer.objects.bulk_create(
        Customer(owner=rep, first_name="Reader", last_name=str(i)) for i in range(args.emails)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(customer=c, address=f"reader{c.pk}@example.org", is_primary=True)
        for c in customers
    )
    now = dt.datetime.now(dt.UTC)

    def queue() -> None:
        for customer in customers:
            personal_email(
                key=f"article:bench:{customer.pk}",
                kind="article",
                sender=rep,
                customer=customer,
                subject="An article you may like",
                text="Hello,\n\nI read this and thought of you.\n\nhttps://example.org/article",
                now=now,
            )

    queue_bound = common.bound_of(queue)
    started = time.perf_counter()
    queue()
    queued = time.perf_counter() - started

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        at = dt.datetime.now(dt.UTC)
        # The statements, recorded with a backend that sends nothing (the same statements).
        dummy = get_connection("django.core.mail.backends.dummy.EmailBackend")
        sql_bound = common.bound_of(lambda: send_batch(at, connection=dummy))
        smtp_seconds = smtp_bound(port)
        sink.count = 0  # count what the timed batch delivers only
        started = time.perf_counter()
        summary = send_batch(at)
        sending = time.perf_counter() - started
    finally:
        controller.stop()
    send_bound = None if sql_bound is None else sql_bound + smtp_seconds
    engine = "PostgreSQL" if args.database_url else "SQLite"
    print(f"outbox on {engine}, {os.cpu_count()} cores, {args.emails:,} e-mails")
    print(
        common.step_line(
            "queued",
            queued,
            queue_bound,
            f"{args.emails / queued:,.0f} e-mails/s; bound: its statements replayed bare",
            width=6,
        )
    )
    print(
        common.step_line(
            "sent",
            sending,
            send_bound,
            f"{summary.sent / sending:,.0f} e-mails/s; {summary.sent} sent, {summary.failed} "
            f"failed, {summary.left} left; the sink received {sink.count}; target ≥ 200/s; "
            f"bound: its statements replayed bare + the messages, rendered beforehand, over one "
            f"bare SMTP connection ({smtp_seconds * 1000:.0f} ms of it)",
            width=6,
        )
    )


def smtp_bound(port: int) -> float:
    """Seconds to hand every queued message, rendered beforehand as Django's SMTP backend renders
    it, to the sink on ``port`` over one plain ``smtplib`` connection (no database, no ORM)."""
    from django.core.mail.message import sanitize_address

    from extramile.outbox.models import OutboxMessage, Status
    from extramile.outbox.sending import build

    rendered = []
    for message in OutboxMessage.objects.filter(status=Status.QUEUED).order_by("queued_at", "id"):
        email = build(message, None)
        rendered.append(
            (
                sanitize_address(email.from_email, "utf-8"),
                [sanitize_address(address, "utf-8") for address in email.recipients()],
                email.message().as_bytes(linesep="\r\n"),
            )
        )
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
        for sender, recipients, data in rendered:
            smtp.sendmail(sender, recipients, data)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
