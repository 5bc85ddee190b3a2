"""Benchmark: the team dashboard and the insights, on a book with a year of history.

    python bench/culture.py [--customers 1000000] [--reps 200] [--runs 5]

Generates the book (``common.generate``), teams of 10 reps with a manager each and an admin
(``common.teams``) and a year of the team's work (``common.year_of_history``: ~800,000 actions,
calls, cards, messages, service requests, article mailings, lunches, surprises, stories, kudos,
check-ins, referrals and families). Then times, for a manager (a team of 10) and for the admin
(everyone), the Team page's figures (``team.figures.build``) for the week, month and quarter, and
the insights figures for a rep, the manager and the admin: the median of ``--runs`` runs after
one warm-up, the number of queries and the slowest query. Whole-book figures are kept once a day
(the ``rollups`` app): the script times the nightly count for every owner first, and each
scope's first insights view of the day (which counts what is kept for the scope) on its own. A figure over the target gets its
slowest query explained.

Runs on a throwaway SQLite file, and also on PostgreSQL when EXTRAMILE_TEST_DATABASE_URL is set
(a database named extramile_bench_culture is created and dropped). Prints figures; asserts
nothing. Target at 1,000,000 customers: each page's queries within 300 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # the shared generator and database set-up

TARGET_MS = 200


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5, help="runs of each figure for the median")
    parser.add_argument(
        "--now",
        type=dt.datetime.fromisoformat,
        default=dt.datetime(2026, 11, 26, 17, 0, tzinfo=dt.UTC),
        help="the moment the pages are looked at (default: Thursday 2026-11-26 17:00 UTC)",
    )
    common.engine_arguments(parser)
    return parser.parse_args()


def main() -> None:
    args = parse()
    if args.engine:
        run_one(args)
        return
    print(
        f"ExtraMile culture benchmark: {args.customers:,} customers, {args.reps} reps, "
        f"{os.cpu_count()} cores"
    )
    common.each_engine(__file__, "extramile_bench_culture")


class Timing:
    def __init__(
        self,
        label: str,
        seconds: list[float],
        queries: list[dict[str, str]],
        interrupted: tuple[str, Any] | None = None,
    ) -> None:
        self.label = label
        self.runs = len(seconds)
        self.median_ms = statistics.median(seconds) * 1000
        self.queries = queries
        self.interrupted = interrupted  # the query stopped at the time limit, if one was
        slowest = max(queries, key=lambda q: float(q["time"]), default=None)
        self.slowest_sql, self.slowest_params = interrupted or (
            slowest["sql"] if slowest else "",
            None,
        )
        self.slowest_ms = float(slowest["time"]) * 1000 if slowest else 0.0
        # The lower bound: the last run's statements replayed bare (the bare queries behind the
        # figures: no ORM, no Python summing), the best of three.
        self.bound_ms = None
        if LAST and not interrupted:
            bound = LAST[0].replay("run", 3)
            self.bound_ms = bound * 1000 if bound is not None else None


LAST: list[common.Recorder] = []  # the statements of the last ``capped`` run


class Interrupted(Exception):
    pass


def capped(
    function: Callable[[], Any], limit: float
) -> tuple[float, list[dict[str, str]], tuple[str, Any] | None]:
    """Run ``function`` once, stopping the query running at ``limit`` seconds (SQLite: interrupt;
    PostgreSQL: statement_timeout); return the seconds, the queries and the SQL stopped, if any."""
    import threading

    from django.db import DatabaseError, connection
    from django.test.utils import CaptureQueriesContext

    running: list[tuple[str, Any]] = []

    def remember(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        running[:] = [(sql, params)]
        return execute(sql, params, many, context)

    connection.ensure_connection()
    timer = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {int(limit * 1000)}")
    else:
        timer = threading.Timer(limit, connection.connection.interrupt)
        timer.start()
    stopped = None
    recorder = common.Recorder()
    recorder.label = "run"
    started = time.perf_counter()
    with (
        CaptureQueriesContext(connection) as context,
        connection.execute_wrapper(remember),
        recorder,
    ):
        try:
            function()
        except DatabaseError:
            stopped = running[0] if running else ("?", None)
    seconds = time.perf_counter() - started
    LAST[:] = [recorder]
    if timer:
        timer.cancel()
    else:
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
    return seconds, list(context.captured_queries), stopped


def timed(label: str, function: Callable[[], Any], runs: int, limit: float = 60) -> Timing:
    """One warm-up run, then ``runs`` runs; the queries of the last one. A warm-up over ten times
    the target is the only run (the median of more would say nothing new); a query still running
    at ``limit`` seconds is stopped."""
    seconds, captured, stopped = capped(function, limit)
    if stopped or seconds * 1000 > 10 * TARGET_MS:
        return Timing(label, [seconds], captured, stopped)
    timings = []
    for _ in range(runs):
        seconds, captured, stopped = capped(function, limit)
        timings.append(seconds)
    return Timing(label, timings, captured, stopped)


def explain(sql: str, params: Any = None) -> str:
    from django.db import connection

    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if connection.vendor == "postgresql"
        else "EXPLAIN QUERY PLAN "
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql, params)
            rows = cursor.fetchall()
    except Exception as error:  # a report, not a test
        return f"(could not explain: {error})"
    return "\n".join("      " + " | ".join(str(cell) for cell in row) for row in rows)


def insights_figures() -> tuple[Callable[..., Any] | None, str]:
    """The insights page's figures function, when the insights app has one."""
    try:
        from extramile.insights import analytics  # type: ignore[attr-defined]
    except ImportError as error:
        return None, f"extramile.insights.analytics could not be imported ({error})"
    for name in ("page_figures", "figures", "build"):
        function = getattr(analytics, name, None)
        if callable(function):
            return function, f"insights.analytics.{name}"
    return None, "extramile.insights.analytics has no page_figures"


def insights_part_calls(user: Any, now: dt.datetime) -> dict[str, Callable[[], Any]]:
    from extramile.insights import analytics

    today = user.local_date(now)
    referrals = analytics.book_referrals(user)
    return {
        "kept customer counts": lambda: analytics.kept_counts(user, now, analytics.DEFAULT_N),
        "referrals_by_month": lambda: analytics.referrals_by_month(referrals, today),
        "rewards": lambda: analytics.rewards(referrals),
        "families": lambda: analytics.families(analytics.book_links(user)),
        "response_times": lambda: analytics.response_times(user, now, today),
    }


def insights_parts(timings: list[Timing], users: dict[str, Any], now: dt.datetime) -> None:
    """Each part of a slow insights page on its own (one run, stopped at 60 s)."""
    for who, user in users.items():
        slow = [t for t in timings if t.label == f"insights, {who}" and t.median_ms > TARGET_MS]
        if not slow:
            continue
        parts = insights_part_calls(user, now)
        print(f"\n  insights parts, {who} (one run each):")
        for name, part in parts.items():
            seconds, _, stopped = capped(part, 60)
            note = "  stopped at the time limit" if stopped else ""
            print(f"    {name:<20} {seconds * 1000:9.0f} ms{note}")


def run_one(args: argparse.Namespace) -> None:
    with common.database(args, prefix="extramile-bench-culture-"):
        from extramile.accounts.models import User
        from extramile.team import figures
        from extramile.web.team import team_members

        now = args.now
        started = time.perf_counter()
        rep_ids, generated = common.generate(args.customers, args.reps, now)
        managers, admin_id = common.teams(rep_ids)
        started = time.perf_counter()
        counts = common.year_of_history(rep_ids, args.customers, now)
        history = time.perf_counter() - started
        rep = User.objects.get(pk=rep_ids[0])
        manager = User.objects.get(pk=managers[0])
        admin = User.objects.get(pk=admin_id)

        # What the nightly plan does for every owner before the pages read it: the rollups
        # (coverage per tier, the insights' customer counts), counted once a day.
        from extramile.rollups.store import refresh_all
        from extramile.team.days import keep_finished
        from extramile.team.models import RepDay

        everyone = list(User.objects.values_list("pk", flat=True))
        started = time.perf_counter()
        keep_finished(everyone, now)  # the Team page's finished days of the quarter, per rep
        kept_days = time.perf_counter() - started
        started = time.perf_counter()
        refresh_all(everyone, now)
        rollups = time.perf_counter() - started + kept_days

        def page(user: User, kind: str) -> Callable[[], Any]:
            return lambda: figures.build(team_members(user), kind, user.local_date(now), now)

        timings = []
        for who, user in (("manager", manager), ("admin", admin)):
            size = len(team_members(user))
            for kind in figures.PERIODS:
                timings.append(
                    timed(f"team {kind}, {who} ({size} people)", page(user, kind), args.runs)
                )
        function, found = insights_figures()
        first_views = {}
        if function is not None:
            from extramile.rollups.models import ScopeRollup

            for who, user in (("rep", rep), ("manager", manager), ("admin", admin)):
                # The first view of the day in a scope counts what is kept for it; later views
                # read it back.
                ScopeRollup.objects.all().delete()
                first_views[who] = capped(lambda u=user: function(u, now), 60)[0]
                timings.append(
                    timed(f"insights, {who}", lambda u=user: function(u, now), args.runs)
                )
        print(f"\n[{args.engine}] {args.customers:,} customers, {args.reps} reps")
        print(f"  generate the book {generated:.1f} s, a year of history {history:.1f} s:")
        print("    " + ", ".join(f"{table} {n:,}" for table, n in counts.items()))
        print(f"  insights: {found}")
        print(f"  the nightly rollups for all {User.objects.count()} users: {rollups:.1f} s")
        print(
            f"    of which the Team page's finished days of the quarter, first count: "
            f"{kept_days:.1f} s ({RepDay.objects.count():,} rep-days; a night counts one)"
        )
        for who, seconds in first_views.items():
            print(f"  insights, {who}: first view of the day (counts the scope) {seconds:.2f} s")
        print(
            f"\n  {'figure':<34} {'median':>9} {'queries':>8} {'slowest query':>14} "
            f"{'lower bound':>12}"
        )
        for t in timings:
            flag = "" if t.median_ms <= TARGET_MS else "  over the target"
            if t.runs == 1:
                flag += ", one run"
            if t.interrupted:
                flag += ", stopped at the time limit"
            bound = f"{t.bound_ms:9.1f} ms" if t.bound_ms is not None else "          –"
            ratio = common.ratio(t.median_ms, t.bound_ms)
            print(
                f"  {t.label:<34} {t.median_ms:6.0f} ms {len(t.queries):8} "
                f"{t.slowest_ms:11.0f} ms {bound}  {ratio}{flag}"
            )
        # Where the time goes: each column of the biggest page on its own.
        print("\n  per column, admin, quarter (median of the runs):")
        ids = [u.pk for u in team_members(admin)]
        period = figures.Period.of("quarter", admin.local_date(now), figures.Company.get())
        slow = []

        def alone(column: figures.Column) -> Any:
            # Each column on its own: what columns of one build share is counted again.
            for shared in (figures._activity_once, figures._cards_once, figures._replies_once):
                shared.cache_clear()
            return column.measure(ids, period, now)

        for column in figures.columns():
            t = timed(column.key, lambda c=column: alone(c), args.runs)
            print(
                f"    {column.key:<18} {t.median_ms:7.1f} ms  {len(t.queries)} queries  "
                f"{common.ratio(t.median_ms, t.bound_ms)}"
            )
            slow.append(t)
        for t in slow:
            if t.median_ms > TARGET_MS / 3:
                print(
                    f"\n  column {t.label}: slowest query {t.slowest_ms:.0f} ms\n    {t.slowest_sql[:300]}"
                )
                print(explain(t.slowest_sql, t.slowest_params))
        if function is not None:
            insights_parts(timings, {"rep": rep, "manager": manager, "admin": admin}, now)
        for t in timings:
            if t.median_ms > TARGET_MS:
                print(
                    f"\n  {t.label}: slowest query {t.slowest_ms:.0f} ms\n    {t.slowest_sql[:600]}"
                )
                print(explain(t.slowest_sql, t.slowest_params))


if __name__ == "__main__":
    main()
