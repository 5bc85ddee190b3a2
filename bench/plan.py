"""Benchmark: plan one day for everyone, and one rep's Today, on generated data.

    python bench/plan.py [--customers 100000] [--reps 200] [--runs 15]

Runs on a throwaway SQLite file, and also on PostgreSQL when EXTRAMILE_TEST_DATABASE_URL is set
(a database named extramile_bench is created and dropped). Prints figures; asserts nothing.
Targets at 1,000,000 customers on 2 cores: plan < 60 s, today < 50 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--runs", type=int, default=15, help="runs of today() for the median")
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], help="(internal) one engine")
    parser.add_argument("--database-url", help="(internal)")
    return parser.parse_args()


def main() -> None:
    args = parse()
    if args.engine:
        run_one(args)
        return
    engines = [("sqlite", None)]
    pg = os.environ.get("EXTRAMILE_TEST_DATABASE_URL")
    if pg:
        parts = urlsplit(pg)
        engines.append(("postgresql", urlunsplit(parts._replace(path="/extramile_bench"))))
    print(
        f"ExtraMile plan benchmark: {args.customers:,} customers, {args.reps} reps, {os.cpu_count()} cores"
    )
    if not pg:
        print("(set EXTRAMILE_TEST_DATABASE_URL to run it on PostgreSQL too)")
    for engine, url in engines:
        command = [
            sys.executable,
            __file__,
            "--engine",
            engine,
            "--customers",
            str(args.customers),
            "--reps",
            str(args.reps),
            "--runs",
            str(args.runs),
        ]
        if url:
            command += ["--database-url", url]
        subprocess.run(command, check=True)


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


def generate(customers: int, reps: int) -> tuple[list[int], float]:
    """Write reps and customers (birthdays incl. 29 February, customer-since dates, a sale for half
    of them, 30% with a wedding date, 5% with an unmet promise, some overdue) in big batches; return the rep ids and the seconds it took."""
    from django.db import connection, transaction
    from django.utils import timezone

    from extramile.accounts.models import Company, User

    started = time.perf_counter()
    Company.get()
    users = [User(username=f"rep{n}", role="rep", first_name=f"Rep {n}") for n in range(reps)]
    User.objects.bulk_create(users)
    rep_ids = list(User.objects.order_by("id").values_list("id", flat=True))
    rng = random.Random(1)
    now = timezone.now()
    today = now.date()
    batch = 20_000
    columns = (
        "first_name, last_name, preferred_name, company_name, street, city, region, postal_code, "
        "country, owner_id, status, birth_month, birth_day, birth_year, language, time_zone, "
        "do_not_call, do_not_email, do_not_mail, do_not_text, notes, created_at, updated_at, "
        "customer_since"
    )
    sql = f"INSERT INTO book_customer ({columns}) VALUES ({', '.join(['%s'] * 24)})"  # noqa: S608  (constant text)
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, customers, batch):
            rows = []
            for n in range(start, min(customers, start + batch)):
                day = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(366))  # 2000 is leap
                rows.append(
                    (
                        rng.choice(FIRST),
                        rng.choice(LAST),
                        "",
                        "",
                        f"{n} Main St",
                        "Springfield",
                        "IL",
                        "62701",
                        "US",
                        rep_ids[n % reps],
                        "customer",
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
                    )
                )
            cursor.executemany(sql, rows)
        cursor.execute("SELECT MIN(id) FROM book_customer")
        first_id = cursor.fetchone()[0]
        key_dates = []
        promises = []
        sales = []
        for n in range(customers):
            if n % 2:
                bought = dt.date(2005, 1, 1) + dt.timedelta(days=rng.randrange(7600))
                sales.append((first_id + n, bought, "A new car", 25000, now))
            if rng.random() < 0.3:
                day = dt.date(2001, 1, 1) + dt.timedelta(days=rng.randrange(365))
                key_dates.append((first_id + n, "wedding", "", day.month, day.day, 1990 + n % 30))
            if rng.random() < 0.05:
                due = today + dt.timedelta(days=rng.randint(-30, 60))
                promises.append((first_id + n, "promise", "Send the brochure", due, now))
        cursor.executemany(
            "INSERT INTO book_keydate (customer_id, kind, label, month, day, year) VALUES (%s, %s, %s, %s, %s, %s)",
            key_dates,
        )
        cursor.executemany(
            "INSERT INTO book_sale (customer_id, date, description, amount, created_at) VALUES (%s, %s, %s, %s, %s)",
            sales,
        )
        cursor.executemany(
            "INSERT INTO book_promise (customer_id, kind, description, due_on, created_at) VALUES (%s, %s, %s, %s, %s)",
            promises,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as a live database would have
    return rep_ids, time.perf_counter() - started


def run_one(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="extramile-bench-") as workdir:
        setup(args, workdir)
        from django.utils import timezone

        from extramile.accounts.models import User
        from extramile.agenda import engine
        from extramile.agenda.services import today

        rep_ids, generated = generate(args.customers, args.reps)
        now = timezone.now()
        day = now.date()
        # Plan the days before too, so Today holds a realistic week of open work.
        for back in range(7, 0, -1):
            engine.plan(day - dt.timedelta(days=back), now)
        started = time.perf_counter()
        summary = engine.plan(day, now)
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = engine.plan(day, now)
        second = time.perf_counter() - started
        rep = User.objects.get(pk=rep_ids[0])
        timings = []
        size = 0
        for _ in range(args.runs):
            started = time.perf_counter()
            size = len(list(today(rep, day)))
            timings.append(time.perf_counter() - started)
        median = statistics.median(timings) * 1000
        scale = 1_000_000 / args.customers
        print(f"\n[{args.engine}] {args.customers:,} customers, {args.reps} reps")
        print(f"  {'generate the book':<38} {generated:8.1f} s")
        print(
            f"  {'plan one day, first run':<38} {first:8.2f} s   ({summary.total:,} actions, {summary.created:,} new; target < 60 s at 1,000,000)"
        )
        print(
            f"  {'plan the same day again (idempotent)':<38} {second:8.2f} s   ({again.created} new)"
        )
        print(
            f"  {'today() for one rep, median of ' + str(args.runs):<38} {median:8.1f} ms  ({size} items; target < 50 ms)"
        )
        if scale > 1:
            print(
                f"  (at this size; plan time grows roughly with the day's work, ×{scale:.0f} at 1,000,000)"
            )
        if args.engine == "postgresql":
            drop_postgres(args.database_url)


if __name__ == "__main__":
    main()
