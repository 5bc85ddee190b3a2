"""Benchmark: exporting a whole book as an admin — the streamed JSON export, CSV and vCard — with
the time and the peak memory of each.

    python bench/export.py [--customers 100000] [--reps 20]

Runs on a throwaway SQLite file, and also on PostgreSQL when EXTRAMILE_TEST_DATABASE_URL is set
(a database named extramile_bench_export is created and dropped). Each export runs in a process
of its own and is written to a file; its peak memory (RSS) next to the memory of Django alone
shows whether the export streams or holds the book: a figure that stays flat as --customers grows
is streaming. Each export is printed beside its lower bound, measured in the same process on the
same data (``export_bound``), and the ratio. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # the shared generator and database set-up

NOW = dt.datetime(2026, 11, 23, 14, 30, tzinfo=dt.UTC)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], help="(internal) one engine")
    parser.add_argument("--database-url", help="(internal)")
    parser.add_argument("--export", choices=["json", "csv", "vcard"], help="(internal)")
    parser.add_argument("--workdir", help="(internal)")
    return parser.parse_args()


def main() -> None:
    args = parse()
    if args.export:
        export_in_child(args)
        return
    if args.engine:
        run_one(args)
        return
    print(f"ExtraMile export benchmark: {args.customers:,} customers, {os.cpu_count()} cores")
    for engine, url in common.engines("extramile_bench_export"):
        command = [sys.executable, __file__, "--engine", engine]
        command += ["--customers", str(args.customers), "--reps", str(args.reps)]
        if url:
            command += ["--database-url", url]
        subprocess.run(command, check=True)


FORMATS = ("json", "csv", "vcard")


def memory(field: str) -> float:
    """MiB from /proc/self/status: VmHWM is this process's peak resident memory (unlike
    ru_maxrss, it does not carry the parent's peak across fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def export_in_child(args: argparse.Namespace) -> None:
    """(Child process) one export of the generated book to a file: prints seconds, customers a
    second, the process's peak memory with Django loaded and after the export, and the export's
    lower bound."""
    os.environ["EXTRAMILE_DATA_DIR"] = args.workdir
    if args.database_url:
        os.environ["EXTRAMILE_DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "extramile.settings"
    import django

    django.setup()
    from extramile.accounts.models import User
    from extramile.book.models import Customer
    from extramile.exports import csvfile, jsonfile, vcard

    admin = User.objects.get(username="bench-admin")
    book = Customer.objects.visible_to(admin)
    count = book.count()
    before = memory("VmHWM")
    export: Callable[[], Iterator[str]] = {
        "json": lambda: jsonfile.stream_book(admin, NOW),
        "csv": lambda: csvfile.lines(book),
        "vcard": lambda: vcard.cards(book),
    }[args.export]
    target = Path(args.workdir) / f"export.{args.export}"
    started = time.perf_counter()
    with target.open("w", encoding="utf-8", newline="") as out:
        for piece in export():
            out.write(piece)
    seconds = time.perf_counter() - started
    peak = memory("VmHWM")
    size = target.stat().st_size / 2**20
    target.unlink()
    bound, queries, rows = export_bound(args.export, export, target)
    print(
        common.step_line(
            args.export,
            seconds,
            bound,
            f"{count / seconds:,.0f} customers/s; peak RSS {peak:.0f} MiB (Django loaded: "
            f"{before:.0f} MiB); file {size:.1f} MiB; bound: {queries:,} queries, {rows:,} rows",
            width=8,
        ),
        flush=True,
    )


def export_bound(
    fmt: str, export: Callable[[], Iterator[str]], target: Path
) -> tuple[float | None, int, int]:
    """The export's lower bound: the statements it runs, replayed bare on the DB-API cursor, with
    every row they fetch written to ``target`` as it comes (``csv.writer`` for CSV, and for vCard,
    which has no bare writer; the C JSON encoder for JSON): no ORM, no Python loop over the rows.

    The statements are recorded in a second, untimed pass of the export, after the timed one: a
    recorder in the timed pass would hold every statement and its ids, which grows with the book
    and would skew the peak memory. The export only reads, so the data is the same. Returns
    (seconds, statements, rows written); None seconds if it ran no statement."""
    recorder = common.Recorder()
    with recorder:
        recorder.label = "export"
        for _ in export():
            pass
    statements = recorder.statements.get("export", [])
    if not statements:
        return None, 0, 0
    rows = 0
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)

        def write(fetched: list[Any]) -> None:
            nonlocal rows
            rows += len(fetched)
            if fmt == "json":
                out.write(json.dumps(fetched, ensure_ascii=False, default=str))
            else:
                writer.writerows(fetched)

        seconds = common.replay_rows(statements, write)
    target.unlink()
    return seconds, len(statements), rows


def run_one(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="extramile-bench-") as workdir:
        common.setup(args, workdir)
        from django.db import connections

        from extramile.accounts.models import Role, User

        _, generated = common.generate(args.customers, args.reps, NOW, seed=7)
        User.objects.create_user("bench-admin", role=Role.ADMIN)
        connections.close_all()
        print(
            f"\n[{args.engine}] {args.customers:,} customers, {args.reps} reps (an admin's export)"
        )
        print(f"  {'generate':<8} {generated:8.1f} s")
        print(
            "  (lower bound: the export's own queries replayed bare on the DB-API cursor, every row "
            "written to a file by the csv module, or the json module for JSON)"
        )
        for fmt in FORMATS:
            command = [sys.executable, __file__, "--export", fmt, "--workdir", workdir]
            command += ["--engine", args.engine]
            if args.database_url:
                command += ["--database-url", args.database_url]
            subprocess.run(command, check=True)
        if args.engine == "postgresql":
            common.drop_postgres(args.database_url)


if __name__ == "__main__":
    main()
