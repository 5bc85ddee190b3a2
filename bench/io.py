"""Benchmark for issue 7: bringing a book in from a file, and the API under load.

    python bench/io.py [--contacts 100000] [--stream-rows 1000000] [--only import|stream|api]

* **import**: writes ``--contacts`` contacts as a CSV (names, e-mail, phone, address, birthday,
  a note for one in five, a wedding date for one in four) and imports them with
  ``extramile.imports.services.run_import`` into one rep's empty book, then imports the same file
  again (every row must come back unchanged). Target: 100,000 contacts within 20 s.
* **stream**: writes ``--stream-rows`` rows and runs a dry run over them (read, validate, match,
  write in batches, roll back) in a fresh child process, reporting its peak RSS next to the file
  size: memory must not grow with the file.
* **api**: ``bench/api_load.py`` (run as its own process): 100,000 customers, gunicorn on
  loopback, 50 concurrent clients with a personal token each requesting the customer list;
  requests a second and the p50 / p95 / p99 latency.

Runs on a throwaway SQLite file, and also on PostgreSQL when EXTRAMILE_TEST_DATABASE_URL is set
(database extramile_bench_io, created and dropped). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # the shared database set-up and names

STREETS = ["Main St", "Oak Ave", "Mill Rd", "Park Ln", "Lake Dr", "Hill St", "Elm Ct", "Bay Rd"]
CITIES = [("Springfield", "IL", "627"), ("Shelbyville", "IL", "625"), ("Capital City", "IL", "629")]
AREAS = [202, 312, 415]  # Washington, Chicago, San Francisco: a US book's own numbers
NOTES = ["Two kids, loves sailing", "Prefers calls after 5 pm", "Drives the family SUV"]


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--stream-rows", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["import", "stream", "api"])
    parser.add_argument("--api-seconds", type=float, default=20, help="the API load's duration")
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], help="(internal) one engine")
    parser.add_argument("--database-url", help="(internal)")
    parser.add_argument("--section", help="(internal) the section to run in this process")
    parser.add_argument("--file", help="(internal) the generated file")
    return parser.parse_args()


def write_contacts(path: Path, count: int, seed: int = 7) -> int:
    """``count`` contacts as a Google-free, spreadsheet-style CSV; returns the file's size."""
    rng = random.Random(seed)
    firsts = [f"{a}{b}" for a in common.FIRST for b in ("", "a", "o", "ie", "y")]
    lasts = [f"{a}{b}" for a in common.LAST for b in ("", "son", "er", "ley", "man", "ford")]
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(
            "first_name,last_name,email,phone,street,city,region,postal_code,birthday,"
            "anniversary,notes\n"
        )
        for n in range(count):
            first, last = rng.choice(firsts), rng.choice(lasts)
            city, region, prefix = rng.choice(CITIES)
            day = 1 + rng.randrange(28)
            birthday = (
                f"{1940 + rng.randrange(60)}-{1 + n % 12:02d}-{day:02d}"
                if n % 3
                else f"--{1 + n % 12:02d}-{day:02d}"
            )
            anniversary = f"{1970 + rng.randrange(50)}-{1 + rng.randrange(12):02d}-{day:02d}"
            note = rng.choice(NOTES) if n % 5 == 0 else ""
            out.write(
                f"{first},{last},{first}.{last}{n}@example.com,({AREAS[n % 3]}) "
                f"{200 + (n // 10_000) % 800:03d}-{n % 10_000:04d},{1 + n % 999} "
                f"{rng.choice(STREETS)},{city},{region},{prefix}{rng.randrange(100):02d}-"
                f"{rng.randrange(10_000):04d},{birthday},{anniversary if n % 4 == 0 else ''},"
                f'"{note}"\n'
            )
    return path.stat().st_size


def main() -> None:
    args = parse()
    if args.section:
        run_section(args)
        return
    if args.engine:
        run_engine(args)
        return
    print(
        f"ExtraMile import benchmark: {args.contacts:,} contacts, "
        f"{args.stream_rows:,} rows streamed"
    )
    for engine, url in common.engines("extramile_bench_io"):
        command = [sys.executable, __file__, "--engine", engine]
        command += ["--contacts", str(args.contacts), "--stream-rows", str(args.stream_rows)]
        if args.only:
            command += ["--only", args.only]
        if url:
            command += ["--database-url", url]
        if args.only != "api":
            subprocess.run(command, check=True)
        if args.only in (None, "api"):
            api = [sys.executable, str(Path(__file__).with_name("api_load.py"))]
            api += ["--seconds", str(args.api_seconds)]
            subprocess.run(api + (["--postgres"] if url else []), check=True)


def run_engine(args: argparse.Namespace) -> None:
    print(f"\n== {args.engine}\n{common.machine_speed()}")
    with tempfile.TemporaryDirectory() as workdir:
        sections = [s for s in ("import", "stream") if args.only in (None, s)]
        for section in sections:
            # Each section in a fresh process: a clean database and a clean peak RSS.
            command = [sys.executable, __file__, "--engine", args.engine, "--section", section]
            command += ["--contacts", str(args.contacts), "--stream-rows", str(args.stream_rows)]
            command += ["--file", str(Path(workdir) / f"{section}.csv")]
            if args.database_url:
                command += ["--database-url", args.database_url]
            subprocess.run(command, check=True)


def run_section(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        common.setup(args, workdir)
        try:
            {"import": import_section, "stream": stream_section}[args.section](args)
        finally:
            if args.engine == "postgresql":
                common.drop_postgres(args.database_url)


def rep():
    from extramile.accounts.models import Company, User

    Company.get()
    return User.objects.create(username="bench-rep", role="rep", first_name="Bench")


def import_section(args: argparse.Namespace) -> None:
    from django.utils import timezone

    from extramile.book.models import Customer
    from extramile.imports import services

    path = Path(args.file)
    started = time.perf_counter()
    size = write_contacts(path, args.contacts)
    print(
        f"generated {args.contacts:,} contacts ({size / 1e6:.1f} MB) "
        f"in {time.perf_counter() - started:.1f} s"
    )
    owner = rep()
    from extramile.imports import checking

    first = 0.0
    for attempt in ("first import", "same file again"):
        source = services.open_source(path)
        if attempt == "first import" and checking.uses_reader(source):
            print("the file is read and checked in a second process (imports.checking)")
        started, cpu = time.perf_counter(), time.process_time()
        report = services.run_import(source, owner, now=timezone.now())
        took, cpu = time.perf_counter() - started, time.process_time() - cpu
        first = first or took
        print(
            f"{attempt}: {took:.1f} s, {cpu:.1f} s CPU in this process "
            f"({args.contacts / took:,.0f} rows/s); {report.summary()}"
            + ("  [target ≤ 12 s]" if attempt == "first import" else "")
        )
    bound, written = import_bound(path, owner.pk)
    print(
        common.step_line(
            "first import",
            first,
            bound,
            f"bound: the csv module reading the file, then a bare bulk write of the same "
            f"{written:,} rows",
        ).strip()
    )
    print(f"customers in the book: {Customer.objects.filter(owner=owner).count():,}")


def stream_section(args: argparse.Namespace) -> None:
    from django.utils import timezone

    from extramile.imports import services

    path = Path(args.file)
    started = time.perf_counter()
    size = write_contacts(path, args.stream_rows, seed=11)
    print(
        f"generated {args.stream_rows:,} rows ({size / 1e6:.0f} MB) "
        f"in {time.perf_counter() - started:.1f} s"
    )
    owner = rep()
    before = peak_rss()
    source = services.open_source(path)
    started = time.perf_counter()
    report = services.run_import(source, owner, now=timezone.now(), dry_run=True)
    took = time.perf_counter() - started
    print(f"dry run over {report.rows:,} rows: {took:.0f} s ({report.rows / took:,.0f} rows/s)")
    print(
        f"peak RSS {peak_rss() / 1e6:.0f} MB (before reading: {before / 1e6:.0f} MB) "
        f"for a {size / 1e6:.0f} MB file; the process reading and checking it: "
        f"{peak_rss(resource.RUSAGE_CHILDREN) / 1e6:.0f} MB"
    )


# The tables an import writes, children after their customer (written back in this order).
IMPORTED = ("book_customer", "book_emailaddress", "book_phonenumber", "book_keydate", "book_fact")


def import_bound(path: Path, owner_id: int) -> tuple[float, int]:
    """The import's lower bound: reading and parsing the file with the csv module, plus writing
    the very rows the import wrote (read back, deleted, then written again with ``COPY`` on
    PostgreSQL / ``executemany`` on SQLite, ids and all, into the same tables with the same
    indexes), in a transaction rolled back. Returns (seconds, rows written)."""
    import csv

    from django.db import connection, transaction

    started = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as source:
        parsed = sum(1 for _ in csv.reader(source))
    reading = time.perf_counter() - started
    assert parsed > 0
    written = 0
    with transaction.atomic():
        sid = transaction.savepoint()
        with connection.cursor() as cursor:
            kept: dict[str, tuple[list[str], list[tuple[object, ...]]]] = {}
            mine = "customer_id IN (SELECT id FROM book_customer WHERE owner_id = %s)"
            for table in IMPORTED:
                where = "owner_id = %s" if table == "book_customer" else mine
                cursor.execute(f"SELECT * FROM {table} WHERE {where}", [owner_id])  # noqa: S608
                columns = [column[0] for column in cursor.description]
                kept[table] = (columns, cursor.fetchall())
            for table in reversed(IMPORTED):
                where = "owner_id = %s" if table == "book_customer" else mine
                cursor.execute(f"DELETE FROM {table} WHERE {where}", [owner_id])  # noqa: S608
        started = time.perf_counter()
        for table in IMPORTED:
            columns, rows = kept[table]
            common.insert(table, columns, rows)
            written += len(rows)
        writing = time.perf_counter() - started
        transaction.savepoint_rollback(sid)
    return reading + writing, written


def peak_rss(who: int = resource.RUSAGE_SELF) -> int:
    """The peak resident set size in bytes of this process, or of its largest child process
    (the import's reader, ``imports.checking``) that has ended (Linux reports KiB)."""
    return resource.getrusage(who).ru_maxrss * 1024


if __name__ == "__main__":
    main()
