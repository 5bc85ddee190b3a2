"""Benchmark for the value issue: article mailings, value scores, sending e-mail.

    python bench/value.py [--customers 1000000] [--reps 200] [--articles 200] [--emails 10000]
        [--only planning|scoring|sending]

Runs the three parts in turn: planning a week of article mailings (this file), recomputing the
value score and tiers (bench/value_score.py) and sending e-mail through the outbox to a local SMTP
sink (bench/value_send.py). Targets: planning and scoring within 30 s each, sending at 200 e-mails
a second or more.

Runs on a throwaway SQLite file, and also on PostgreSQL when EXTRAMILE_TEST_DATABASE_URL is set
(database extramile_bench_value, created and dropped). On top of the shared book
(bench/common.py: facts for one customer in ten) it adds a library of ``--articles`` articles
with two or three of 40 topics each, and hand-set topics for a quarter of the customers. Times
the nightly preparer's work (a 7-day window: insert, hold back, channels, matching), then the
same plan again (nothing new), then the next day, each beside its lower bound (its own statements
replayed bare, measured just before it on the same data) and the ratio. Prints figures; asserts
nothing.
Target: planning within 30 s. (The scoring and sending figures are bench/value_score.py and
bench/value_send.py.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # the shared generator and database set-up

TOPICS = [f"topic {n}" for n in range(40)]


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--only", choices=["planning", "scoring", "sending"])
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], help="(internal) one engine")
    parser.add_argument("--database-url", help="(internal)")
    return parser.parse_args()


def main() -> None:
    args = parse()
    if args.engine:
        run_one(args)
        return
    here = Path(__file__).resolve().parent
    if args.only in (None, "planning"):
        print(
            f"ExtraMile article planning benchmark: {args.customers:,} customers, {args.reps} reps"
        )
        for engine, url in common.engines("extramile_bench_value"):
            command = [sys.executable, __file__, "--engine", engine]
            command += ["--customers", str(args.customers), "--reps", str(args.reps)]
            command += ["--articles", str(args.articles)]
            if url:
                command += ["--database-url", url]
            subprocess.run(command, check=True)
    if args.only in (None, "scoring"):
        scoring = [sys.executable, str(here / "value_score.py")]
        scoring += ["--customers", str(args.customers), "--reps", str(args.reps)]
        subprocess.run(scoring, check=True)
    if args.only in (None, "sending"):
        sending = [sys.executable, str(here / "value_send.py"), "--emails", str(args.emails)]
        subprocess.run(sending, check=True)


def library_and_interests(articles: int, now: dt.datetime) -> int:
    from django.db import connection, transaction

    rng = random.Random(5)
    rows = [
        (
            f"Article {n}",
            f"https://bench.example/{n}",
            "",
            ", ".join(rng.sample(TOPICS, rng.randint(2, 3))),
            "en",
            True,
            now,
        )
        for n in range(articles)
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(id), MAX(id) FROM book_customer")
        first, last = cursor.fetchone()
    topics = [
        (cid, topic)
        for cid in range(first, last + 1)
        if cid % 4 == 0
        for topic in rng.sample(TOPICS, 2)
    ]
    with transaction.atomic():
        common.insert(
            "articles_article",
            ("title", "url", "summary", "topics", "language", "active", "created_at"),
            rows,
        )
        common.insert("articles_customertopic", ("customer_id", "topic"), topics)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return len(topics)


def run_one(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="extramile-bench-") as workdir:
        common.setup(args, workdir)
        from django.db import connection

        from extramile.accounts.models import User
        from extramile.articles.agenda import prepare_mailings
        from extramile.articles.models import ArticleMailing

        now = dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.UTC)
        day = now.date()
        _, generated = common.generate(args.customers, args.reps, now)
        topics = library_and_interests(args.articles, now)
        print(
            f"[{connection.vendor}] generated in {generated:.0f} s "
            f"({args.articles} articles, {topics:,} hand-set topics)"
        )
        owners = User.objects.filter(is_active=True)
        steps = (
            ("plan the week", day, "; target ≤ 30 s at 1,000,000"),
            ("again", day, ""),
            ("the next day", day + dt.timedelta(days=1), ""),
        )
        for label, on, target in steps:
            # The lower bound: the step's own statements (recorded in a run rolled back) replayed
            # bare, before the timed run, so both see the same data.
            bound = common.bound_of(functools.partial(prepare_mailings, on, now, owners))
            started = time.perf_counter()
            created = prepare_mailings(on, now, owners)
            seconds = time.perf_counter() - started
            print(
                common.step_line(
                    f"[{connection.vendor}] {label}",
                    seconds,
                    bound,
                    f"{created:,} new mailings{target}",
                    width=30,
                ).strip()
            )
        total = ArticleMailing.objects.count()
        matched = ArticleMailing.objects.filter(article__isnull=False).count()
        per_day = ArticleMailing.objects.values("owner_id", "planned_on").distinct().count()
        print(
            f"[{connection.vendor}] {total:,} mailings, {matched:,} matched, "
            f"about {total / max(per_day, 1):.1f} per rep per day"
        )
        if connection.vendor == "postgresql":
            common.drop_postgres(args.database_url)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
