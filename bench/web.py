"""Benchmark: web pages under load — 50 concurrent users on a generated book.

    python bench/web.py [--customers 100000] [--reps 200] [--users 50] [--seconds 30]

Generates the book with bench/plan.py's generator on a throwaway SQLite file (or PostgreSQL with
--postgres, using EXTRAMILE_TEST_DATABASE_URL), plans today, starts `extramile serve` on a free
loopback port, then N threads, each logged in as a different rep, loop over Today, the customer
list, a search and a customer page for a bounded time, pausing --think seconds between pages
as a person does (--think 0 measures throughput flat out). Prints p50/p95/max per page and errors.
Loopback only; bounded in time and count; asserts nothing.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # the shared generator and database set-up

PASSWORD = "bench-password-1"  # noqa: S105


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Client:
    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str]:
        with self.opener.open(self.base + path, timeout=120) as response:
            return response.status, response.read().decode()

    def login(self, username: str) -> None:
        _, page = self.get("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}
        ).encode()
        request = urllib.request.Request(  # noqa: S310  (loopback http only)
            self.base + "/login/", data=data, headers={"Referer": self.base + "/login/"}
        )
        with self.opener.open(request, timeout=120) as response:
            if "/login/" in response.url:
                raise RuntimeError(f"could not log in as {username}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--users", type=int, default=50, help="concurrent users")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument(
        "--think", type=float, default=1.0, help="seconds a user pauses between pages (0: flat out)"
    )
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    pg = os.environ.get("EXTRAMILE_TEST_DATABASE_URL")
    if args.postgres and not pg:
        sys.exit("--postgres needs EXTRAMILE_TEST_DATABASE_URL")
    with tempfile.TemporaryDirectory(prefix="extramile-webbench-") as workdir:
        setup = argparse.Namespace(
            engine="postgresql" if args.postgres else "sqlite",
            database_url=urlunsplit(urlsplit(pg)._replace(path="/extramile_webbench"))
            if args.postgres and pg
            else None,
        )
        common.setup(setup, workdir)
        from django.contrib.auth.hashers import make_password
        from django.utils import timezone

        from extramile.accounts.models import User
        from extramile.agenda import engine

        rep_ids, generated = common.generate(args.customers, args.reps)
        User.objects.update(password=make_password(PASSWORD))
        engine.plan_local_today(timezone.now())
        settle()
        from extramile.book.models import Customer

        own_customer = {
            rep: Customer.objects.filter(owner_id=rep).values_list("pk", flat=True).first()
            for rep in rep_ids[: args.users]
        }
        usernames = dict(User.objects.filter(pk__in=rep_ids).values_list("pk", "username"))
        bounds = page_bounds(rep_ids[0], own_customer[rep_ids[0]])
        from django.db import connections

        connections.close_all()
        port = free_port()
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "extramile"),
                "serve",
                "--port",
                str(port),
                "--workers",
                str(args.web_workers),
                "--no-collectstatic",  # collected by page_bounds above
            ],
            env=os.environ.copy(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):  # up to a few minutes on a loaded machine
                try:
                    urllib.request.urlopen(base + "/login/", timeout=5).read()  # noqa: S310
                    break
                except OSError:
                    time.sleep(0.5)
            results = load(base, args, own_customer, usernames)
        finally:
            server.terminate()
            server.wait(timeout=30)
        report(args, generated, results, bounds)
        if args.postgres:
            common.drop_postgres(setup.database_url)


def settle() -> None:
    """PostgreSQL: the state autovacuum keeps a live database in (a table written once and read
    since is vacuumed within minutes). A book bulk-loaded a second ago has no visibility map, so
    every count that an index alone answers (a rep's book by status, by tier) read each of the
    rep's 5,000 rows from the table instead: the pages would be measured on a state no running
    database stays in for long. (SQLite needs nothing: its indexes carry the row ids.)"""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")


def pages_of(customer: int | None) -> list[tuple[str, str]]:
    """The pages a user cycles through: Today, the list, a search, one of their customers."""
    pages = [("Today", "/"), ("Customers", "/customers/"), ("Search", "/customers/?q=ch")]
    if customer:
        pages.append(("Customer page", f"/customers/{customer}/"))
    return pages


def page_bounds(rep: int, customer: int | None, runs: int = 5) -> dict[str, float]:
    """Each page's lower bound: the queries one request of it runs (in-process, for the first
    user), replayed bare on the raw cursor, the best of ``runs``: the bare queries that fetch what
    the page shows, without the ORM, the view or the template."""
    from django.core.management import call_command
    from django.test import Client as DjangoClient

    from extramile.accounts.models import User

    call_command("collectstatic", interactive=False, verbosity=0)  # the pages name hashed files

    client = DjangoClient()
    client.force_login(User.objects.get(pk=rep))
    bounds: dict[str, float] = {}
    for label, path in pages_of(customer):
        client.get(path, HTTP_HOST="localhost")  # warm-up
        recorder = common.Recorder()
        with recorder:
            recorder.label = label
            response = client.get(path, HTTP_HOST="localhost")
        if response.status_code != 200:
            raise RuntimeError(f"{label}: {response.status_code} in-process")
        bounds[label] = recorder.replay(label, runs) or 0.0
    return bounds


def load(
    base: str, args: argparse.Namespace, own: dict[int, int | None], names: dict[int, str]
) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {}
    errors: list[str] = []
    lock = threading.Lock()
    began: list[float] = []
    ready = threading.Barrier(args.users, action=lambda: began.append(time.monotonic()))
    max_requests = 200_000

    def user(rep: int, offset: float) -> None:
        time.sleep(offset)  # people arrive over a second or so, not in one burst
        client = Client(base)
        try:
            client.login(names[rep])
        except Exception as exc:  # a failed login is a result, not a crash
            with lock:
                errors.append(f"login {names[rep]}: {exc}")
            ready.abort()
            return
        pages = pages_of(own[rep])
        for _, path in pages:  # warm-up, not timed: log-in burst, cold workers
            client.get(path)
        ready.wait()
        jitter = random.Random(rep)
        time.sleep(jitter.uniform(0, args.think))  # desynchronise after the barrier
        n = 0
        while time.monotonic() < began[0] + args.seconds and n < max_requests // args.users:
            label, path = pages[n % len(pages)]
            n += 1
            started = time.perf_counter()
            try:
                status, _ = client.get(path)
                ok = status == 200
            except Exception as exc:
                ok = False
                with lock:
                    errors.append(f"{label}: {exc}")
            elapsed = time.perf_counter() - started
            with lock:
                timings.setdefault(label, []).append(elapsed)
                if not ok:
                    errors.append(label)
            if args.think:
                time.sleep(jitter.uniform(0.5, 1.5) * args.think)  # people do not click in step

    reps = list(own)[: args.users]
    spread = max(args.think, 1.0)
    threads = [
        threading.Thread(target=user, args=(rep, n * spread / len(reps)))
        for n, rep in enumerate(reps)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    timings["__errors__"] = [float(len(errors))]
    if errors:
        print("errors (first 5):", errors[:5])
    return timings


def report(
    args: argparse.Namespace,
    generated: float,
    results: dict[str, list[float]],
    bounds: dict[str, float],
) -> None:
    errors = int(results.pop("__errors__")[0])
    total = sum(len(v) for v in results.values())
    print(
        f"ExtraMile web benchmark: {args.customers:,} customers, {args.reps} reps, {args.users} concurrent users, "
        f"{args.seconds:.0f} s, think {args.think:g} s, {args.web_workers} gunicorn workers, {'PostgreSQL' if args.postgres else 'SQLite'}, {os.cpu_count()} cores"
    )
    print(
        f"  generated the book in {generated:.1f} s; {total:,} requests, {total / args.seconds:.0f}/s, {errors} errors"
    )
    print(
        f"  {'page':<15} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
        f"{'bound ms':>9}   (the page's bare queries; the ratio is the median's)"
    )
    every: list[float] = []
    for label, values in results.items():
        every += values
        values = sorted(values)
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        median = statistics.median(values)
        bound = bounds.get(label)
        print(
            f"  {label:<15} {len(values):>9} {median * 1000:>8.0f} {p95 * 1000:>8.0f} "
            f"{values[-1] * 1000:>8.0f} {(bound or 0) * 1000:>9.1f}   {common.ratio(median, bound)}"
        )
    every.sort()
    if every:
        p95 = every[min(len(every) - 1, int(len(every) * 0.95))]
        print(
            f"  {'all pages':<15} {len(every):>9} {statistics.median(every) * 1000:>8.0f} {p95 * 1000:>8.0f} {every[-1] * 1000:>8.0f}   (target: p95 ≤ 100 ms, no errors)"
        )


if __name__ == "__main__":
    main()
