"""Benchmark: the daily habits on generated data — one day's call rotation for everyone, and
reply deadlines for a year of inbound messages.

    python bench/habits.py [--customers 1000000] [--reps 200] [--messages 100000]

Runs on a throwaway SQLite file, and also on PostgreSQL when EXTRAMILE_TEST_DATABASE_URL is set
(a database named extramile_bench_habits is created and dropped). Prints figures; asserts nothing.
Targets on 2 cores: the rotation for 200 reps × 5,000 customers (1,000,000) < 10 s; reply
deadlines for 100,000 inbound messages < 5 s (and the end-to-end bulk log of them is reported).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # the shared generator and database set-up

# 2026-11-23 is a Monday, and not a holiday.
NOW = dt.datetime(2026, 11, 23, 14, 30, tzinfo=dt.UTC)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--messages", type=int, default=100_000, help="inbound messages")
    common.engine_arguments(parser)
    return parser.parse_args()


def main() -> None:
    args = parse()
    if args.engine:
        run_one(args)
        return
    print(
        f"ExtraMile habits benchmark: {args.customers:,} customers, {args.reps} reps, "
        f"{os.cpu_count()} cores"
    )
    common.each_engine(__file__, "extramile_bench_habits")


def seconds_of(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def rotation_day(day: dt.date, now: dt.datetime) -> tuple[int, int, float]:
    """Plan one day's calls for everyone (the planner and the upsert); (calls, new, seconds)."""
    from django.db import transaction

    from extramile.accounts.models import User
    from extramile.agenda.actions import put_many
    from extramile.agenda.engine import BATCH, batches
    from extramile.outreach.rotation import rotation

    started = time.perf_counter()
    total = created = 0
    for chunk in batches(rotation(day, now, User.objects.filter(is_active=True)), BATCH):
        with transaction.atomic():
            created += put_many(chunk, now)
        total += len(chunk)
    return total, created, time.perf_counter() - started


def replies(messages: int) -> tuple[int, float, int, float, int]:
    """Reply deadlines for ``messages`` inbound messages received over the year before NOW, in
    their owners' zones; then the same rows through ``log_many`` (matching, deadlines, messages
    and their Today actions written). (messages, deadline seconds, zones, log seconds, actions)."""
    from extramile.accounts.models import Company, User
    from extramile.agenda.models import Action
    from extramile.inbox.bulk import deadlines, log_many

    rows = common.inbound(messages, NOW - dt.timedelta(days=365), NOW)
    company = Company.get()
    zones = dict(User.objects.values_list("pk", "time_zone"))
    pairs = [(row.received_at, zones.get(owner, "") if owner else "") for row, owner in rows]
    started = time.perf_counter()
    due = deadlines(pairs, company)
    deadline_seconds = time.perf_counter() - started
    assert len(due) == len(rows)
    before = Action.objects.filter(kind="reply").count()
    started = time.perf_counter()
    logged = log_many([row for row, _ in rows], NOW, company=company)
    log_seconds = time.perf_counter() - started
    actions = Action.objects.filter(kind="reply").count() - before
    return len(logged), deadline_seconds, len(set(zones.values())), log_seconds, actions


def run_one(args: argparse.Namespace) -> None:
    with common.database(args):
        from extramile.accounts.models import User
        from extramile.outreach.coverage import capacity_warning, coverage

        rep_ids, generated = common.generate(args.customers, args.reps, NOW, seed=4)
        requests = common.open_service_requests(rep_ids, NOW)
        # The week before, so "no one twice in a week" has calls to look at.
        for back in (7, 6, 5, 4, 3):
            rotation_day(NOW.date() - dt.timedelta(days=back), NOW - dt.timedelta(days=back))
        # Each step's lower bound: its own statements replayed bare (common.bound_of).
        rotation_bound = common.bound_of(lambda: rotation_day(NOW.date(), NOW))
        calls, created, first = rotation_day(NOW.date(), NOW)
        _, again, second = rotation_day(NOW.date(), NOW)
        everyone_bound = common.bound_of(lambda: coverage(User.objects.all(), NOW))
        started = time.perf_counter()
        everyone = coverage(User.objects.all(), NOW)
        covered = time.perf_counter() - started
        rep = User.objects.order_by("id").first()
        assert rep is not None
        one_bound = common.bound_of(lambda: coverage([rep], NOW), 5)
        one = common.best_of(5, lambda: seconds_of(lambda: coverage([rep], NOW)))
        warning_bound = common.bound_of(lambda: capacity_warning(rep), 5)
        warning = common.best_of(5, lambda: seconds_of(lambda: capacity_warning(rep)))
        over = sum(1 for rep in everyone if rep.over_capacity)
        print(f"\n[{args.engine}] {args.customers:,} customers, {args.reps} reps")
        print(
            f"  {'generate the book':<40} {generated:8.1f} s   "
            f"(+ {requests:,} open service requests)"
        )
        line = common.step_line
        print(
            line(
                "call rotation, one day, first run",
                first,
                rotation_bound,
                f"{calls:,} calls, {created:,} new; target < 10 s at 1,000,000",
                width=40,
            )
        )
        print(f"  {'the same day again (idempotent)':<40} {second:8.2f} s   ({again} new)")
        print(
            line(
                "coverage, every rep",
                covered,
                everyone_bound,
                f"{over} of {len(everyone)} reps over capacity; pages read the rollup",
                width=40,
            )
        )
        print(line("coverage, one rep (Calls page)", one, one_bound, "best of 5", width=40))
        print(
            line("capacity warning, one rep (Today)", warning, warning_bound, "best of 5", width=40)
        )
        if args.messages:
            count, deadline_seconds, zones, log_seconds, actions = replies(args.messages)
            print(
                f"  {'reply deadlines, ' + format(args.messages, ',') + ' messages':<40} "
                f"{deadline_seconds:8.2f} s   ({zones} zones; target < 5 s)"
            )
            print(
                f"  {'log_many, the same messages':<40} {log_seconds:8.2f} s   "
                f"({count:,} logged, {actions:,} replies owed on Today)"
            )


if __name__ == "__main__":
    main()
