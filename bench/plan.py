"""Benchmark: plan one day for everyone, and one rep's Today, on generated data.

    python bench/plan.py [--customers 100000] [--reps 200] [--runs 15]

Runs on a throwaway SQLite file, and also on PostgreSQL when EXTRAMILE_TEST_DATABASE_URL is set
(a database named extramile_bench_plan is created and dropped). Prints figures; asserts nothing.
Targets at 1,000,000 customers on 2 cores: plan < 60 s, today < 50 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # the shared generator and database set-up

DAY = dt.timedelta(days=1)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--runs", type=int, default=15, help="runs of today() for the median")
    parser.add_argument(
        "--day",
        type=dt.date.fromisoformat,
        default=dt.date(2026, 11, 23),
        help="the day planned, at 02:00 New York time (default: Monday 2026-11-23, a working day)",
    )
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], help="(internal) one engine")
    parser.add_argument("--database-url", help="(internal)")
    return parser.parse_args()


def main() -> None:
    args = parse()
    if args.engine:
        run_one(args)
        return
    print(
        f"ExtraMile plan benchmark: {args.customers:,} customers, {args.reps} reps, {os.cpu_count()} cores"
    )
    for engine, url in common.engines("extramile_bench_plan"):
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
            "--day",
            args.day.isoformat(),
        ]
        if url:
            command += ["--database-url", url]
        subprocess.run(command, check=True)


class Splits:
    """Wall time per preparer and planner (a planner's time includes upserting what it yields),
    and the closing of expired work, while patched into the engine."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float]] = []

    def __enter__(self) -> Splits:
        from extramile.agenda import engine

        self.saved = (dict(engine.PREPARERS), dict(engine.PLANNERS), engine.expire)
        for name, prepare in self.saved[0].items():
            engine.PREPARERS[name] = self._prepare(f"prepare {name}", prepare)
        for name, planner in self.saved[1].items():
            engine.PLANNERS[name] = self._planner(f"plan {name}", planner)
        engine.expire = self._prepare("close expired", self.saved[2])  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        from extramile.agenda import engine

        engine.PREPARERS.update(self.saved[0])
        engine.PLANNERS.update(self.saved[1])
        engine.expire = self.saved[2]  # type: ignore[assignment]

    def _prepare(self, label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any) -> Any:
            self.marks.append((label, time.perf_counter()))
            result = function(*args)
            self.marks.append(("", time.perf_counter()))
            return result

        return timed

    def _planner(self, label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any) -> Iterator[Any]:
            self.marks.append((label, time.perf_counter()))
            yield from function(*args)

        return timed

    def seconds(self) -> dict[str, float]:
        """Each mark's label with the time to the next mark (the last one: to ``end``)."""
        end = time.perf_counter()
        found: dict[str, float] = {}
        for (label, at), (_, then) in zip(self.marks, [*self.marks[1:], ("", end)], strict=True):
            if label:
                found[label] = found.get(label, 0.0) + then - at
        return found


def run_one(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="extramile-bench-") as workdir:
        common.setup(args, workdir)
        from extramile.accounts.models import User
        from extramile.agenda import engine
        from extramile.agenda.services import today
        from extramile.inbox.bulk import log_many

        day = args.day
        now = dt.datetime.combine(day, dt.time(7, 0), tzinfo=dt.UTC)  # the nightly run
        rep_ids, generated = common.generate(args.customers, args.reps, now)
        # The day-to-day backlog: a few open service requests per rep, and three messages a day
        # per rep over the last two days (unanswered: the replies owed).
        requests = common.open_service_requests(rep_ids, now)
        messages = len(
            log_many(
                [row for row, _ in common.inbound(3 * 2 * len(rep_ids), now - DAY * 2, now)], now
            )
        )
        # Plan the days before too, each at its own night, so Today holds a realistic week.
        for back in range(7, 0, -1):
            engine.plan(day - DAY * back, now - DAY * back)
        with Splits() as splits:
            started = time.perf_counter()
            summary = engine.plan(day, now)
            first = time.perf_counter() - started
        split = splits.seconds()
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
        print(
            f"  {'generate the book':<38} {generated:8.1f} s   "
            f"(+ {requests:,} open service requests, {messages:,} messages)"
        )
        print(
            f"  {'plan one day, first run':<38} {first:8.2f} s   ({summary.total:,} actions, {summary.created:,} new; target < 60 s at 1,000,000)"
        )
        for label, seconds in split.items():
            kind, _, name = label.partition(" ")
            count = (
                summary.prepared.get(name)
                if kind == "prepare"
                else summary.planned.get(name)
                if kind == "plan"
                else summary.missed
            )
            print(f"    {label:<36} {seconds:8.2f} s   ({count:,})")
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
            common.drop_postgres(args.database_url)


if __name__ == "__main__":
    main()
