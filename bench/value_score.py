"""Benchmark: the nightly value score and tiers for a whole book, and one lunch suggestion round.

    python bench/value_score.py [--customers 1000000] [--reps 200]

Runs on a throwaway SQLite file, and also on PostgreSQL when EXTRAMILE_TEST_DATABASE_URL is set
(database extramile_bench_value_score, created and dropped). On top of the shared book
(bench/common.py: a sale for every other customer) it adds a second sale with a varied amount for
a third of the customers and a referral for one in fifty. Prints figures; asserts nothing.
Target: scoring 1,000,000 customers within 30 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # the shared generator and database set-up


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=200)
    common.engine_arguments(parser)
    return parser.parse_args()


def main() -> None:
    args = parse()
    if args.engine:
        run_one(args)
        return
    print(f"ExtraMile value score benchmark: {args.customers:,} customers, {args.reps} reps")
    common.each_engine(__file__, "extramile_bench_value_score")


def more_history(now: dt.datetime) -> tuple[int, int]:
    """A second sale (varied amounts) for a third of the customers, a referral for one in 50."""
    from django.db import connection, transaction

    rng = random.Random(9)
    today = now.date()
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(id), MAX(id) FROM book_customer")
        first, last = cursor.fetchone()
    sales, referrals = [], []
    for cid in range(first, last + 1):
        if cid % 3 == 0:
            day = today - dt.timedelta(days=rng.randrange(6 * 365))
            sales.append((cid, day, "Service plan", rng.randrange(200, 60_000), now))
        if cid % 50 == 0 and cid + 1 <= last:
            referrals.append((cid, cid + 1, today, "none", ""))
    with transaction.atomic():
        common.insert(
            "book_sale", ("customer_id", "date", "description", "amount", "created_at"), sales
        )
        common.insert(
            "book_referral",
            ("referrer_id", "referred_id", "date", "reward_status", "note"),
            referrals,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return len(sales), len(referrals)


def a_days_business(day: dt.date, now: dt.datetime, sales: int) -> tuple[int, int]:
    """``sales`` sales dated ``day`` to customers spread over the book, and one referral in 100."""
    from django.db import connection, transaction

    rng = random.Random(day.toordinal())
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM book_customer WHERE status = 'customer'")
        ids = [row[0] for row in cursor.fetchall()]
    buyers = rng.sample(ids, sales)
    with transaction.atomic():
        common.insert(
            "book_sale",
            ("customer_id", "date", "description", "amount", "created_at"),
            [(cid, day, "Service", rng.randrange(100, 9_000), now) for cid in buyers],
        )
        referrals = [
            (a, b, day, "none", "") for a, b in zip(buyers[::100], buyers[1::100], strict=False)
        ]
        common.insert(
            "book_referral",
            ("referrer_id", "referred_id", "date", "reward_status", "note"),
            referrals,
        )
    return len(buyers), len(referrals)


def run_one(args: argparse.Namespace) -> None:
    with common.database(args):
        from django.db import connection

        from extramile.accounts.models import User
        from extramile.value import lunches, scoring

        now = dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.UTC)
        day = now.date()
        _, generated = common.generate(args.customers, args.reps, now)
        extra_sales, referrals = more_history(now)
        print(
            f"[{connection.vendor}] generated in {generated:.0f} s "
            f"(+{extra_sales:,} sales, {referrals:,} referrals)"
        )
        # Lower bounds: the scoring's own statements (one INSERT … SELECT with the window
        # functions, the tier UPDATE) replayed bare, measured before each run on the same data.
        bound = common.bound_of(lambda: scoring.recompute(day, now))
        first = scoring.recompute(day, now)
        print(
            common.step_line(
                f"[{connection.vendor}] score {first.scored:,} customers, first run",
                first.seconds,
                bound,
                f"{first.tiers_changed:,} tiers changed; target ≤ 30 s at 1,000,000",
                width=44,
            ).strip()
        )
        # The next night: the window moves a day and the day brought sales (ten a rep) and a few
        # referrals, so percentiles and ranks move as on a real night.
        night, next_day = now + dt.timedelta(days=1), day + dt.timedelta(days=1)
        sold, referred = a_days_business(next_day, night, args.reps * 10)
        bound = common.bound_of(lambda: scoring.recompute(next_day, night))
        again = scoring.recompute(next_day, night)
        print(
            common.step_line(
                f"[{connection.vendor}] the next night ({sold:,} sales, {referred} referrals)",
                again.seconds,
                bound,
                f"{again.tiers_changed:,} tiers changed; target ≤ 15 s at 1,000,000",
                width=44,
            ).strip()
        )
        started = time.perf_counter()
        made = lunches.suggest(day, now, User.objects.filter(is_active=True))
        print(
            f"[{connection.vendor}] lunch suggestions for {args.reps} reps: {made} in "
            f"{time.perf_counter() - started:.2f} s"
        )


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
