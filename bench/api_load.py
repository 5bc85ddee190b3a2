"""Benchmark: the JSON API's customer list under 50 concurrent clients on loopback.

    python bench/api_load.py [--customers 100000] [--reps 200] [--clients 50] [--seconds 20]
                             [--web-workers 4] [--limit 50] [--think 0] [--postgres]

Generates the book with bench/common.py's generator on a throwaway SQLite file (or PostgreSQL
with --postgres, using EXTRAMILE_TEST_DATABASE_URL), issues a personal API token for each of the
first N reps, starts `extramile serve` (gunicorn) on a free loopback port, and has N threads,
each with its own rep's token, request `GET /api/customers?limit=50` for the given time, each
time the next page of that rep's book: back to back (the default, --think 0: throughput flat
out, where latency is mostly the queue) or pausing --think seconds between requests as a script
or an app would. Prints requests per second, p50, p95,
p99 and max latency and the errors, and the p50 beside one request's lower bound (``request_bound``:
the bare queries of one request, measured before the load on the same data) and the ratio.
Loopback only; bounded in time and count; asserts nothing.

``measure(base_url, secrets, clients=50, seconds=20)`` is the load itself, usable on any running
server.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # the shared generator and database set-up

MAX_REQUESTS = 500_000


@dataclass
class Result:
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """The p-th percentile latency in milliseconds (nearest rank)."""
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        rank = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[rank] * 1000


def measure(
    base_url: str,
    secrets: list[str],
    clients: int = 50,
    seconds: float = 20.0,
    path: str = "/api/customers",
    limit: int = 50,
    think: float = 0.0,
) -> Result:
    """``clients`` threads, client ``n`` with ``secrets[n % len(secrets)]``, each requesting pages
    of ``path`` for ``seconds`` (after one untimed warm-up request each): back to back, or
    pausing about ``think`` seconds between requests (0.5–1.5 × think, so clients drift apart)."""
    result = Result(clients=clients, seconds=seconds)
    lock = threading.Lock()
    began: list[float] = []
    ready = threading.Barrier(clients, action=lambda: began.append(time.monotonic()))

    def get(url: str, secret: str) -> bytes:
        request = urllib.request.Request(  # noqa: S310  (loopback http only)
            url, headers={"Authorization": f"Bearer {secret}", "Accept": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}")
            body: bytes = response.read()
            return body

    def client(n: int) -> None:
        secret = secrets[n % len(secrets)]
        url = f"{base_url}{path}?limit={limit}"
        try:
            page = json.loads(get(url, secret))  # warm-up: a cold worker, the first connection
            count = int(page["count"])
        except Exception as exc:
            with lock:
                result.errors.append(f"warm-up: {exc}")
            ready.abort()
            return
        ready.wait()
        pace = random.Random(n)
        if think:
            time.sleep(pace.uniform(0, think))
        offset, done = 0, 0
        while time.monotonic() < began[0] + seconds and done < MAX_REQUESTS // clients:
            offset = offset + limit if offset + limit < count else 0
            started = time.perf_counter()
            try:
                get(f"{url}&offset={offset}", secret)
                ok = True
            except Exception as exc:
                ok = False
                with lock:
                    result.errors.append(str(exc))
            elapsed = time.perf_counter() - started
            done += 1
            if ok:
                with lock:
                    result.latencies.append(elapsed)
            if think:
                time.sleep(pace.uniform(0.5, 1.5) * think)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return result


def request_bound(secret: str, limit: int, runs: int = 5) -> tuple[float | None, int]:
    """One request's lower bound: the queries ``GET /api/customers`` runs for a page (the middle
    page of the token's rep's book), recorded in-process with Django's test client and the same
    token, replayed bare on the raw cursor, the best of ``runs``: fetching what the answer holds
    without the ORM, the view, JSON, HTTP or gunicorn. Returns (seconds, queries)."""
    from django.test import Client

    client = Client(headers={"Authorization": f"Bearer {secret}", "Accept": "application/json"})
    path = "/api/customers"
    first = client.get(path, {"limit": limit}, HTTP_HOST="localhost")  # also the warm-up
    if first.status_code != 200:
        raise RuntimeError(f"{path}: {first.status_code} in-process")
    offset = int(first.json()["count"]) // 2 // limit * limit
    recorder = common.Recorder()
    with recorder:
        recorder.label = "request"
        response = client.get(path, {"limit": limit, "offset": offset}, HTTP_HOST="localhost")
    if response.status_code != 200:
        raise RuntimeError(f"{path}: {response.status_code} in-process")
    return recorder.replay("request", runs), len(recorder.statements.get("request", []))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(port: int, workers: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "extramile"),
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/api/openapi.json", timeout=2).read()  # noqa: S310
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--limit", type=int, default=50, help="customers per page")
    parser.add_argument(
        "--think", type=float, default=0.0, help="seconds a client pauses between requests"
    )
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    pg = os.environ.get("EXTRAMILE_TEST_DATABASE_URL")
    if args.postgres and not pg:
        sys.exit("--postgres needs EXTRAMILE_TEST_DATABASE_URL")
    with tempfile.TemporaryDirectory(prefix="extramile-apibench-") as workdir:
        setup = argparse.Namespace(
            engine="postgresql" if args.postgres else "sqlite",
            database_url=urlunsplit(urlsplit(pg)._replace(path="/extramile_apibench"))
            if args.postgres and pg
            else None,
        )
        common.setup(setup, workdir)
        from django.db import connections
        from django.utils import timezone

        from extramile.accounts.models import User
        from extramile.api.tokens import issue

        rep_ids, generated = common.generate(args.customers, args.reps)
        now = timezone.now()
        secrets = [
            issue(f"bench {rep}", now, user=User.objects.get(pk=rep))[1]
            for rep in rep_ids[: args.clients]
        ]
        bound, queries = request_bound(secrets[0], args.limit)
        connections.close_all()
        port = free_port()
        server = serve(port, args.web_workers)
        try:
            result = measure(
                f"http://127.0.0.1:{port}",
                secrets,
                args.clients,
                args.seconds,
                limit=args.limit,
                think=args.think,
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
        engine = "PostgreSQL" if args.postgres else "SQLite"
        print(
            f"ExtraMile API benchmark: GET /api/customers?limit={args.limit}, "
            f"{args.customers:,} customers, {args.reps} reps, {args.clients} concurrent clients "
            f"(a personal token each), {args.seconds:.0f} s, think {args.think:g} s, "
            f"{args.web_workers} gunicorn workers, "
            f"{engine}, {os.cpu_count()} cores"
        )
        print(f"  generated the book in {generated:.1f} s")
        print(
            f"  {result.requests:,} requests, {result.per_second:.0f}/s, "
            f"{len(result.errors)} errors"
            + (f" (first: {result.errors[0]})" if result.errors else "")
        )
        print(
            f"  p50 {result.percentile(50):.0f} ms, p95 {result.percentile(95):.0f} ms, "
            f"p99 {result.percentile(99):.0f} ms, max {result.percentile(100):.0f} ms"
        )
        if result.latencies:
            print(
                common.step_line(
                    "p50 latency",
                    result.percentile(50) / 1000,
                    bound,
                    f"{args.clients} clients, think {args.think:g} s, {args.web_workers} workers: "
                    f"the wait for a worker counts; bound: the {queries} bare queries of one request",
                    width=12,
                )
            )
        if args.postgres:
            common.drop_postgres(setup.database_url)


if __name__ == "__main__":
    main()
