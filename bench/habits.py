"""Benchmark: the daily habits on generated data — one day's call rotation for everyone.

    python bench/habits.py [--customers 1000000] [--reps 200]

Runs on a throwaway SQLite file, and also on PostgreSQL when EXTRAMILE_TEST_DATABASE_URL is set
(a database named extramile_bench_habits is created and dropped). Prints figures; asserts nothing.
Target on 2 cores: the rotation for 200 reps × 5,000 customers (1,000,000) < 10 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import plan as plan_bench  # the book generator

# 2026-11-23 is a Monday, and not a holiday.
NOW = dt.datetime(2026, 11, 23, 14, 30, tzinfo=dt.UTC)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], help="(internal) one engine")
    parser.add_argument("--database-url", help="(internal)")
    return parser.parse_args()


def main() -> None:
    args = parse()
    if args.engine:
        run_one(args)
        return
    engines: list[tuple[str, str | None]] = [("sqlite", None)]
    pg = os.environ.get("EXTRAMILE_TEST_DATABASE_URL")
    if pg:
        parts = urlsplit(pg)
        engines.append(("postgresql", urlunsplit(parts._replace(path="/extramile_bench_habits"))))
    print(
        f"ExtraMile habits benchmark: {args.customers:,} customers, {args.reps} reps, "
        f"{os.cpu_count()} cores"
    )
    if not pg:
        print("(set EXTRAMILE_TEST_DATABASE_URL to run it on PostgreSQL too)")
    for engine, url in engines:
        command = [sys.executable, __file__, "--engine", engine]
        command += ["--customers", str(args.customers), "--reps", str(args.reps)]
        if url:
            command += ["--database-url", url]
        subprocess.run(command, check=True)


def generate(customers: int, reps: int, rng: random.Random) -> float:
    """Reps and their books, written in big batches (bench/plan.py's way, with the columns the
    calls need): tiers (10% A, 30% B, 60% C), a last contact for 85% spread over the last 400
    days, 1% do-not-call, 3% former customers, a phone for 95%, pinned facts for 10%. Returns
    the seconds it took."""
    from django.db import connection, transaction

    from extramile.accounts.models import Company, User

    started = time.perf_counter()
    Company.get()
    User.objects.bulk_create(
        User(username=f"rep{n}", role="rep", first_name=f"Rep {n}") for n in range(reps)
    )
    rep_ids = list(User.objects.order_by("id").values_list("id", flat=True))
    columns = (
        "first_name, last_name, preferred_name, company_name, street, city, region, "
        "postal_code, country, owner_id, status, language, time_zone, do_not_call, "
        "do_not_email, do_not_mail, do_not_text, notes, created_at, updated_at, customer_since, "
        "tier, tier_by_hand, last_contact_at"
    )
    sql = f"INSERT INTO book_customer ({columns}) VALUES ({', '.join(['%s'] * 24)})"  # noqa: S608
    batch = 20_000
    with transaction.atomic(), connection.cursor() as cursor:
        for begin in range(0, customers, batch):
            rows = []
            for n in range(begin, min(customers, begin + batch)):
                roll = rng.random()
                last = NOW - dt.timedelta(days=rng.uniform(0, 400)) if rng.random() < 0.85 else None
                rows.append(
                    (
                        rng.choice(plan_bench.FIRST),
                        rng.choice(plan_bench.LAST),
                        "",
                        "",
                        f"{n} Main St",
                        "Springfield",
                        "IL",
                        "62701",
                        "US",
                        rep_ids[n % reps],
                        "former" if n % 33 == 0 else "customer",
                        "en",
                        "",
                        n % 97 == 0,
                        False,
                        False,
                        False,
                        "",
                        NOW,
                        NOW,
                        dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(9500)),
                        "A" if roll < 0.1 else "B" if roll < 0.4 else "C",
                        False,
                        last,
                    )
                )
            cursor.executemany(sql, rows)
        cursor.execute("SELECT MIN(id) FROM book_customer")
        first_id = cursor.fetchone()[0]
        phones, facts = [], []
        for n in range(customers):
            if rng.random() < 0.95:
                phones.append((first_id + n, f"+1202{n:07d}", "mobile", True))
            if rng.random() < 0.1:
                facts.append((first_id + n, "Loves sailing on the lake", "hobby", "", True, NOW))
        cursor.executemany(
            "INSERT INTO book_phonenumber (customer_id, number, label, is_primary) "
            "VALUES (%s, %s, %s, %s)",
            phones,
        )
        cursor.executemany(
            "INSERT INTO book_fact (customer_id, text, category, tags, pinned, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            facts,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as a live database would have
    return time.perf_counter() - started


def rotation_day(day: dt.date, now: dt.datetime) -> tuple[int, int, float]:
    """Plan one day's calls for everyone (the planner and the upsert); (calls, new, seconds)."""
    from django.db import transaction

    from extramile.accounts.models import User
    from extramile.agenda.engine import BATCH, batches, upsert
    from extramile.outreach.rotation import rotation

    started = time.perf_counter()
    total = created = 0
    for chunk in batches(rotation(day, now, User.objects.filter(is_active=True)), BATCH):
        with transaction.atomic():
            created += upsert(chunk, now)
        total += len(chunk)
    return total, created, time.perf_counter() - started


def run_one(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="extramile-bench-") as workdir:
        plan_bench.setup(args, workdir)
        from extramile.accounts.models import User
        from extramile.outreach.coverage import capacity_warning, coverage

        rng = random.Random(4)
        generated = generate(args.customers, args.reps, rng)
        # The week before, so "no one twice in a week" has calls to look at.
        for back in (7, 6, 5, 4, 3):
            rotation_day(NOW.date() - dt.timedelta(days=back), NOW - dt.timedelta(days=back))
        calls, created, first = rotation_day(NOW.date(), NOW)
        _, again, second = rotation_day(NOW.date(), NOW)
        started = time.perf_counter()
        everyone = coverage(User.objects.all(), NOW)
        covered = time.perf_counter() - started
        started = time.perf_counter()
        rep = User.objects.order_by("id").first()
        assert rep is not None
        coverage([rep], NOW)
        one = time.perf_counter() - started
        started = time.perf_counter()
        capacity_warning(rep)
        warning = time.perf_counter() - started
        over = sum(1 for rep in everyone if rep.over_capacity)
        print(f"\n[{args.engine}] {args.customers:,} customers, {args.reps} reps")
        print(f"  {'generate the book':<40} {generated:8.1f} s")
        print(
            f"  {'call rotation, one day, first run':<40} {first:8.2f} s   "
            f"({calls:,} calls, {created:,} new; target < 10 s at 1,000,000)"
        )
        print(f"  {'the same day again (idempotent)':<40} {second:8.2f} s   ({again} new)")
        print(
            f"  {'coverage, every rep':<40} {covered:8.2f} s   ({over} of {len(everyone)} reps "
            "over capacity)"
        )
        print(f"  {'coverage, one rep (Calls page)':<40} {one * 1000:8.1f} ms")
        print(f"  {'capacity warning, one rep (Today)':<40} {warning * 1000:8.1f} ms")
        if args.engine == "postgresql":
            plan_bench.drop_postgres(args.database_url)


if __name__ == "__main__":
    main()
