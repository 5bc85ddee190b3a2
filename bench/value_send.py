"""Benchmark: send 10,000 personal e-mails through the outbox to a local SMTP sink (aiosmtpd).

    python bench/value_send.py [--emails 10000] [--database-url postgres://…]

A throwaway SQLite database (or the PostgreSQL database given, which must be empty and is left
behind), one rep, one customer per e-mail. Times queueing (``outbox.compose.personal_email``) and
sending (``outbox.sending.send_batch`` over one SMTP connection, each message claimed before and
marked after the SMTP call). Target: 200 e-mails/s or more.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))


class Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
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
    started = time.perf_counter()
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
    queued = time.perf_counter() - started

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        started = time.perf_counter()
        summary = send_batch(dt.datetime.now(dt.UTC))
        sending = time.perf_counter() - started
    finally:
        controller.stop()
    engine = "PostgreSQL" if args.database_url else "SQLite"
    print(f"outbox on {engine}, {os.cpu_count()} cores, {args.emails:,} e-mails")
    print(f"  queued  in {queued:6.1f} s  ({args.emails / queued:,.0f} e-mails/s)")
    print(
        f"  sent    in {sending:6.1f} s  ({summary.sent / sending:,.0f} e-mails/s; "
        f"{summary.sent} sent, {summary.failed} failed, {summary.left} left; "
        f"the sink received {sink.count})"
    )


if __name__ == "__main__":
    main()
