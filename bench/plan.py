"""Benchmark: plan one day for everyone, and one rep's Today, on generated data.

    python bench/plan.py [--customers 100000] [--reps 200] [--runs 15]

Runs on a throwaway SQLite file, and also on PostgreSQL when EXTRAMILE_TEST_DATABASE_URL is set
(a database named extramile_bench_plan is created and dropped). Prints figures; asserts nothing.
Targets at 1,000,000 customers on 2 cores: plan ≤ 15 s, again ≤ 5 s, today ≤ 5 ms; every step
is printed beside its lower bound (its own statements replayed bare) and the ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
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
    parser.add_argument(
        "--bound-runs", type=int, default=1, help="replays of each lower bound (the best counts)"
    )
    common.engine_arguments(parser)
    return parser.parse_args()


def main() -> None:
    args = parse()
    if args.engine:
        run_one(args)
        return
    print(
        f"ExtraMile plan benchmark: {args.customers:,} customers, {args.reps} reps, {os.cpu_count()} cores"
    )
    common.each_engine(__file__, "extramile_bench_plan")


class Splits:
    """Wall time per preparer and planner (a planner's time includes upserting what it yields),
    and the closing of expired work, while patched into the engine."""

    def __init__(self, recorder: common.Recorder | None = None) -> None:
        self.marks: list[tuple[str, float]] = []
        self.recorder = recorder

    def mark(self, label: str) -> None:
        """The step ``label`` starts now (blank: none runs); its statements are recorded under it."""
        self.marks.append((label, time.perf_counter()))
        if self.recorder is not None:
            self.recorder.label = label

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
            self.mark(label)
            result = function(*args)
            self.mark("")
            return result

        return timed

    def _planner(self, label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any) -> Iterator[Any]:
            self.mark(label)
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


def dry_run(day: dt.date, now: dt.datetime) -> common.Recorder:
    """Plan ``day`` in a transaction rolled back, recording each step's statements: replayed bare
    on the same data afterwards, they are the steps' lower bounds."""
    from django.db import transaction

    from extramile.agenda import engine

    recorder = common.Recorder()
    with recorder, Splits(recorder), transaction.atomic():
        sid = transaction.savepoint()
        engine.plan(day, now)
        transaction.savepoint_rollback(sid)
    return recorder


def run_one(args: argparse.Namespace) -> None:
    with common.database(args):
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
        # The lower bounds: each step's own statements, recorded in a dry run and replayed bare on
        # the raw cursor (no ORM, no Python per row) on the same data; the best of --bound-runs.
        recorder = dry_run(day, now)
        bound = {label: recorder.replay(label, args.bound_runs) for label in recorder.statements}
        with Splits() as splits:
            started = time.perf_counter()
            summary = engine.plan(day, now)
            first = time.perf_counter() - started
        split = splits.seconds()
        with Splits() as splits_again:
            started = time.perf_counter()
            again = engine.plan(day, now)
            second = time.perf_counter() - started
        split_again = splits_again.seconds()
        # Today: the page's query, and its bare replay.
        rep = User.objects.get(pk=rep_ids[0])
        timings = []
        size = 0
        today_recorder = common.Recorder()
        with today_recorder:
            for run in range(args.runs):
                today_recorder.label = "today" if run == 0 else ""
                started = time.perf_counter()
                size = len(list(today(rep, day)))
                timings.append(time.perf_counter() - started)
        median = statistics.median(timings)
        today_bound = common.best_of(
            args.runs, lambda: common.replay(today_recorder.statements.get("today", []))
        )
        total_bound = sum(b or 0.0 for label, b in bound.items() if label in split)
        print(f"\n[{args.engine}] {args.customers:,} customers, {args.reps} reps")
        print(
            f"  {'generate the book':<38} {generated:8.1f} s   "
            f"(+ {requests:,} open service requests, {messages:,} messages)"
        )
        print(
            common.step_line(
                "plan one day, first run",
                first,
                total_bound,
                f"{summary.total:,} actions, {summary.created:,} new; target ≤ 15 s at 1,000,000",
            )
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
            print(
                common.step_line(label, seconds, bound.get(label), f"{count:,}", width=36).replace(
                    "  ", "    ", 1
                )
            )
        print(
            common.step_line(
                "plan the same day again (idempotent)",
                second,
                None,
                f"{again.created} new; target ≤ 5 s at 1,000,000",
            )
        )
        # Where the re-run's time goes: its steps of a tenth of a second or more, slowest first.
        for label, seconds in sorted(split_again.items(), key=lambda item: -item[1]):
            if seconds >= 0.1:
                print(f"      again: {label:<31} {seconds:8.2f} s")
        print(
            common.step_line(
                f"today() for one rep, median of {args.runs}",
                median,
                today_bound,
                f"{size} items; target ≤ 5 ms",
            )
        )


if __name__ == "__main__":
    main()
