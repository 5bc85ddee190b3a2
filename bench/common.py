"""What the benchmarks share: a throwaway database per engine, and the generated book.

Each script runs itself once per engine in a child process (``--engine``): SQLite in a temporary
directory, and PostgreSQL in a database of the script's own (``extramile_bench_<script>``),
created and dropped, when EXTRAMILE_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import time
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

FIRST = [
    "Ana",
    "Ben",
    "Cara",
    "Dev",
    "Eli",
    "Fay",
    "Gus",
    "Hana",
    "Ivo",
    "Jo",
    "Kai",
    "Lea",
    "Max",
    "Nia",
    "Oli",
    "Pia",
    "Raj",
    "Sol",
    "Tom",
    "Uma",
    "Vic",
    "Wes",
]
LAST = [
    "Abbott",
    "Baker",
    "Chen",
    "Diaz",
    "Evans",
    "Fox",
    "Garcia",
    "Hill",
    "Ito",
    "Jones",
    "Khan",
    "Lopez",
    "Moss",
    "Nunez",
    "Ortiz",
    "Park",
]
# Reps' own time zones, in turn ("" is the company's, America/New_York).
ZONES = ["", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix"]


def engines(database: str) -> list[tuple[str, str | None]]:
    """SQLite, and PostgreSQL (database ``database``) when EXTRAMILE_TEST_DATABASE_URL is set."""
    found: list[tuple[str, str | None]] = [("sqlite", None)]
    pg = os.environ.get("EXTRAMILE_TEST_DATABASE_URL")
    if pg:
        found.append(("postgresql", urlunsplit(urlsplit(pg)._replace(path=f"/{database}"))))
    else:
        print("(set EXTRAMILE_TEST_DATABASE_URL to run it on PostgreSQL too)")
    return found


def setup(args: argparse.Namespace, workdir: str) -> None:
    os.environ["EXTRAMILE_DATA_DIR"] = workdir
    os.environ.pop("EXTRAMILE_DATABASE_URL", None)
    if args.engine == "postgresql":
        recreate_postgres(args.database_url)
        os.environ["EXTRAMILE_DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "extramile.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def recreate_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_postgres(url: str) -> None:
    from django.db import connections

    connections.close_all()
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}"')


def insert(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write rows fast: ``COPY`` on PostgreSQL, ``executemany`` on SQLite (inside the caller's
    transaction)."""
    from django.db import connection

    names = ", ".join(columns)
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with (
            connection.connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608  (constant text)
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(rows))


def phone_of(n: int) -> str:
    """Customer number ``n``'s phone (E.164, valid for the US; unique up to 8,000,000)."""
    return f"+1202{2_000_000 + n:07d}"


def email_of(n: int, first: str, last: str) -> str:
    """Customer number ``n``'s e-mail, written with capitals as people do."""
    return f"{first}.{last}{n}@Example.com"


CUSTOMER_COLUMNS = (
    "first_name",
    "last_name",
    "preferred_name",
    "company_name",
    "street",
    "city",
    "region",
    "postal_code",
    "country",
    "owner_id",
    "status",
    "birth_month",
    "birth_day",
    "birth_year",
    "language",
    "time_zone",
    "do_not_call",
    "do_not_email",
    "do_not_mail",
    "do_not_text",
    "notes",
    "created_at",
    "updated_at",
    "customer_since",
    "tier",
    "tier_by_hand",
    "last_contact_at",
)


def generate(
    customers: int, reps: int, now: dt.datetime | None = None, seed: int = 1
) -> tuple[list[int], float]:
    """Write reps and their books in big batches; return the rep ids and the seconds it took.

    Reps: their own time zones in turn (``ZONES``). Customers (``rep_ids[n % reps]`` owns number
    ``n``): birthdays spread over the year including 29 February, a customer-since date, 3% former
    customers, 1% do-not-call; tiers 20% A, 30% B, 50% C (set by the nightly rule, not by hand);
    a last contact for 80% spread over the last year (the rest never contacted); a phone for 95%
    (``phone_of``), an e-mail for 60% (``email_of``); 30% with a wedding date, a sale for half of
    them (dated up to today, so recent days have buyers to thank), 5% with an unmet promise due
    between 30 days ago and 60 days ahead, 10% with a pinned fact.
    """
    from django.db import connection, transaction
    from django.utils import timezone

    from extramile.accounts.models import Company, User

    started = time.perf_counter()
    now = now or timezone.now()
    today = now.date()
    Company.get()
    User.objects.bulk_create(
        User(username=f"rep{n}", role="rep", first_name=f"Rep {n}", time_zone=ZONES[n % len(ZONES)])
        for n in range(reps)
    )
    rep_ids = list(User.objects.order_by("id").values_list("id", flat=True))
    rng = random.Random(seed)
    batch = 50_000
    names: list[tuple[str, str]] = []
    with transaction.atomic():
        for begin in range(0, customers, batch):
            rows = []
            for n in range(begin, min(customers, begin + batch)):
                day = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(366))  # 2000 is leap
                first, last = rng.choice(FIRST), rng.choice(LAST)
                names.append((first, last))
                roll = rng.random()
                contact = (
                    now - dt.timedelta(seconds=rng.uniform(3600, 365 * 86400))
                    if rng.random() < 0.8
                    else None
                )
                rows.append(
                    (
                        first,
                        last,
                        "",
                        "",
                        f"{n} Main St",
                        "Springfield",
                        "IL",
                        "62701",
                        "US",
                        rep_ids[n % reps],
                        "former" if n % 33 == 0 else "customer",
                        day.month,
                        day.day,
                        1950 + n % 50 if n % 3 else None,
                        "en",
                        "",
                        n % 97 == 0,
                        False,
                        False,
                        False,
                        "",
                        now,
                        now,
                        dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(9500)),
                        "A" if roll < 0.2 else "B" if roll < 0.5 else "C",
                        False,
                        contact,
                    )
                )
            insert("book_customer", CUSTOMER_COLUMNS, rows)
        with connection.cursor() as cursor:
            cursor.execute("SELECT MIN(id) FROM book_customer")
            first_id = cursor.fetchone()[0]
        phones, emails, key_dates, sales, promises, facts = [], [], [], [], [], []
        sale_days = (today - dt.date(2005, 1, 1)).days + 1
        for n in range(customers):
            cid = first_id + n
            if rng.random() < 0.95:
                phones.append((cid, phone_of(n), "mobile", True))
            if rng.random() < 0.6:
                emails.append((cid, email_of(n, *names[n]), "home", True))
            if n % 2:
                bought = dt.date(2005, 1, 1) + dt.timedelta(days=rng.randrange(sale_days))
                sales.append((cid, bought, "A new car", 25000, now))
            if rng.random() < 0.3:
                day = dt.date(2001, 1, 1) + dt.timedelta(days=rng.randrange(365))
                key_dates.append((cid, "wedding", "", day.month, day.day, 1990 + n % 30))
            if rng.random() < 0.05:
                due = today + dt.timedelta(days=rng.randint(-30, 60))
                promises.append((cid, "promise", "Send the brochure", due, now))
            if rng.random() < 0.1:
                facts.append((cid, "Loves sailing on the lake", "hobby", "", True, now))
        insert("book_phonenumber", ("customer_id", "number", "label", "is_primary"), phones)
        insert("book_emailaddress", ("customer_id", "address", "label", "is_primary"), emails)
        insert("book_keydate", ("customer_id", "kind", "label", "month", "day", "year"), key_dates)
        insert("book_sale", ("customer_id", "date", "description", "amount", "created_at"), sales)
        insert(
            "book_promise", ("customer_id", "kind", "description", "due_on", "created_at"), promises
        )
        insert(
            "book_fact",
            ("customer_id", "text", "category", "tags", "pinned", "created_at"),
            facts,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as a live database would have
    return rep_ids, time.perf_counter() - started


def open_service_requests(rep_ids: list[int], now: dt.datetime, per_rep: int = 3) -> int:
    """A realistic backlog: ``per_rep`` open requests per rep on their own customers, opened over
    the last ten days, through the product's ``open_request`` (so each has its Today action)."""
    from extramile.book.models import Customer
    from extramile.service.services import open_request

    rng = random.Random(3)
    count = 0
    for rep in rep_ids:
        ids = list(Customer.objects.filter(owner_id=rep, status="customer").values_list("pk")[:200])
        for (pk,) in rng.sample(ids, min(per_rep, len(ids))):
            customer = Customer.objects.select_related("owner").get(pk=pk)
            open_request(
                customer=customer,
                subject="The sunroof rattles",
                opened_by=None,
                now=now - dt.timedelta(hours=rng.uniform(1, 240)),
                priority=rng.choice(["urgent", "high", "normal", "normal", "low"]),
            )
            count += 1
    return count


def national(e164: str) -> str:
    """+12022000001 as a person writes it: (202) 200-0001."""
    digits = e164[2:]
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def inbound(
    count: int, start: dt.datetime, end: dt.datetime, seed: int = 5, step: int = 10
) -> list[tuple[Any, int | None]]:
    """``count`` inbound messages received between ``start`` and ``end``, as ``(InboundRow, the
    owner it should reach)``: 65% calls, voicemails and texts from customers' phones (half written
    in national format), 25% e-mails from customers' addresses, 10% from numbers not in the book
    (half of them logged by a rep). Senders are the customers whose id is a multiple of ``step``;
    each row has an external id, as an import would."""
    from django.db import connection

    from extramile.accounts.models import User
    from extramile.inbox.bulk import InboundRow

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.number, c.owner_id FROM book_phonenumber p "
            "JOIN book_customer c ON c.id = p.customer_id WHERE p.customer_id %% %s = 0",
            [step],
        )
        phones = cursor.fetchall()
        cursor.execute(
            "SELECT e.address, c.owner_id FROM book_emailaddress e "
            "JOIN book_customer c ON c.id = e.customer_id WHERE e.customer_id %% %s = 0",
            [step],
        )
        emails = cursor.fetchall()
    rep_ids = list(User.objects.filter(role="rep").values_list("pk", flat=True))
    rng = random.Random(seed)
    span = (end - start).total_seconds()
    rows: list[tuple[Any, int | None]] = []
    for i in range(count):
        received = start + dt.timedelta(seconds=rng.uniform(0, span))
        roll = rng.random()
        logged_by = None
        if roll < 0.65:
            channel = rng.choice(["call", "voicemail", "text", "text"])
            sender, owner = rng.choice(phones)
            if rng.random() < 0.5:
                sender = national(sender)
        elif roll < 0.9:
            channel = "email"
            sender, owner = rng.choice(emails)
        else:
            channel = rng.choice(["call", "text"])
            sender = f"+1312{2_000_000 + rng.randrange(1_000_000):07d}"
            owner = logged_by = rng.choice(rep_ids) if rng.random() < 0.5 else None
        rows.append(
            (
                InboundRow(
                    channel=channel,
                    from_address=sender,
                    received_at=received,
                    summary="Asked about the service plan for the new car; call back please.",
                    owner_id=logged_by,
                    external_id=f"bench-{i}",
                ),
                owner,
            )
        )
    return rows
