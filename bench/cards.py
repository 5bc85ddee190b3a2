"""Benchmark: plan the December card season for everyone, and print 10,000 written cards with
the designs on (the company's colours and logo, a design per occasion, the handwriting font),
their envelopes and labels. Every step's line ends with its ratio to a lower bound:

- planning: writing the same card rows into a table without indexes or checks (the re-plan:
  reading them once);
- loading the batch: reading the same rows as plain tuples (no model objects);
- each print file: a bare Typst compile of the same pages (the same text in the same fonts, one
  page per card and envelope, a page per label sheet; no design, no placing, no fitting);
- the whole print run (load, then the three PDFs and the CSV made at once, ``output.render_all``,
  as ``extramile cards`` does): the load's and the three bare compiles' lower bounds, one after
  the other in one Typst process each.

Wall-clock seconds on a shared machine vary with the other work on it, so each line also gives
the process's CPU seconds (all threads).

    python bench/cards.py [--customers 1000000] [--reps 200] [--print 10000]

Runs on a throwaway SQLite file, and also on PostgreSQL when EXTRAMILE_TEST_DATABASE_URL is set
(a database named extramile_bench_cards is created and dropped). Prints figures; asserts nothing.
Targets on 2 cores: planning the season for 1,000,000 customers < 30 s; 10,000 cards with their
envelopes and labels printed < 10 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # the shared generator and database set-up

SEASON = (dt.date(2026, 12, 1), dt.date(2026, 12, 31))


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--print", dest="printed", type=int, default=10_000)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], help="(internal) one engine")
    parser.add_argument("--database-url", help="(internal)")
    return parser.parse_args()


def main() -> None:
    args = parse()
    if args.engine:
        run_one(args)
        return
    print(
        f"ExtraMile cards benchmark: {args.customers:,} customers, {args.reps} reps, "
        f"{os.cpu_count()} cores"
    )
    for engine, url in common.engines("extramile_bench_cards"):
        command = [sys.executable, __file__, "--engine", engine]
        command += ["--customers", str(args.customers), "--reps", str(args.reps)]
        command += ["--print", str(args.printed)]
        if url:
            command += ["--database-url", url]
        subprocess.run(command, check=True)


def households(share: float = 0.4) -> int:
    """Pair up neighbours into households (two adults at one address) for a share of the book."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT id, last_name, owner_id FROM book_customer ORDER BY owner_id, id")
        people = cursor.fetchall()
        pairs = [
            (people[i], people[i + 1])
            for i in range(0, len(people) - 1, 2)
            if people[i][2] == people[i + 1][2] and (i // 2) % 10 < share * 10
        ]
        now = dt.datetime.now(dt.UTC)
        cursor.executemany(
            "INSERT INTO book_household (name, street, city, region, postal_code, country, "
            "created_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [
                (f"The {a[1]} Family", f"{a[0]} Main St", "Springfield", "IL", "62701", "US", now)
                for a, _b in pairs
            ],
        )
        cursor.execute("SELECT id FROM book_household ORDER BY id")
        ids = [row[0] for row in cursor.fetchall()]
        cursor.executemany(
            "UPDATE book_customer SET household_id = %s WHERE id IN (%s, %s)",
            [(hid, a[0], b[0]) for hid, (a, b) in zip(ids, pairs, strict=True)],
        )
    return len(pairs)


def write_cards(count: int) -> list[int]:
    """Mark ``count`` cards written with a personal message, as a rep would have."""
    from django.db import connection

    from extramile.cards.models import Card

    ids = list(Card.objects.order_by("id").values_list("id", flat=True)[:count])
    now = dt.datetime.now(dt.UTC)
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE cards_card SET status = 'written', written_at = %s, message = %s WHERE id = %s",
            [
                (
                    now,
                    f"Dear friend number {n},\n\nI hope the sailing season was kind to you and "
                    f"that the new garden is coming along. Thank you for a wonderful year.\n\n"
                    f"With warm wishes,",
                    pk,
                )
                for n, pk in enumerate(ids)
            ],
        )
    return ids


def run_one(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="extramile-bench-") as workdir:
        common.setup(args, workdir)
        from django.utils import timezone

        from extramile.cards.planning import plan_cards

        _reps, generated = common.generate(args.customers, args.reps)
        pairs = households()
        now = timezone.now()
        started = time.perf_counter()
        summary = plan_cards(*SEASON, now)
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = plan_cards(*SEASON, now)
        second = time.perf_counter() - started
        write_bound, indexed_bound, read_bound = plan_bounds()
        print(f"\n[{args.engine}] {args.customers:,} customers ({pairs:,} two-person households)")
        print(f"  {'generate the book':<40} {generated:8.1f} s")
        print(
            f"  {'plan December (mail-by 1-31 Dec)':<40} {first:8.2f} s   "
            f"({summary.created:,} cards; target ≤ 20 s at 1,000,000; {ratio(first, write_bound)}; "
            f"to the same rows in one statement into the table's indexes, "
            f"{indexed_bound:.2f} s: {first / indexed_bound:.1f}×)"
        )
        print(f"    {summary.planned}")
        print(
            f"  {'plan it again (idempotent)':<40} {second:8.2f} s   "
            f"({again.created} new; {ratio(second, read_bound)})"
        )

        if args.printed:
            print_cards(args.printed)
        if args.engine == "postgresql":
            common.drop_postgres(args.database_url)


def cpu() -> float:
    """CPU seconds of this process so far, every thread."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def ratio(seconds: float, bound: float, cpu_seconds: float = 0.0, cpu_bound: float = 0.0) -> str:
    """The ratio of wall-clock seconds, and of CPU seconds when given (steadier on a busy
    machine: the wall clock also counts the time other processes held the cores)."""
    text = f"ratio to lower bound: {seconds / bound:.1f}×"
    if cpu_bound:
        text += f" (cpu {cpu_seconds / cpu_bound:.1f}×)"
    return text


def plan_bounds() -> tuple[float, float, float]:
    """Seconds to write the season's card rows into a table without indexes or checks, to write
    them into a copy of the cards table with its indexes (the same unique, partial and ordinary
    indexes the planner must keep), each in one ``INSERT … SELECT``, and to read them once: what
    planning and re-planning cannot beat. The second is the planner's own floor: one statement,
    no ORM, no Python per row, the same indexes to maintain."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_card_copy AS SELECT * FROM cards_card WHERE 1 = 0")
        started = time.perf_counter()
        cursor.execute("INSERT INTO bench_card_copy SELECT * FROM cards_card")
        written = time.perf_counter() - started
        cursor.execute("DELETE FROM bench_card_copy")
        for sql in index_statements(cursor):
            cursor.execute(sql)
        started = time.perf_counter()
        cursor.execute("INSERT INTO bench_card_copy SELECT * FROM cards_card")
        indexed = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute("SELECT customer_id, household_id, occasion_id, year FROM cards_card")
        cursor.fetchall()
        read = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_card_copy")
    return written, indexed, read


def index_statements(cursor: Any) -> list[str]:
    """``CREATE INDEX`` statements giving ``bench_card_copy`` the indexes of ``cards_card``."""
    from django.db import connection

    if connection.vendor == "postgresql":
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'cards_card'")
    else:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cards_card' "
            "AND sql IS NOT NULL"
        )
    found = []
    for (sql,) in cursor.fetchall():
        # "CREATE [UNIQUE] INDEX name ON [public.]cards_card …": a new name, the copy's table.
        sql = re.sub(r"INDEX\s+\"?(\w+)\"?\s+ON", r"INDEX bench_\1 ON", sql, count=1)
        found.append(
            re.sub(r"ON\s+(public\.)?\"?cards_card\"?", "ON bench_card_copy", sql, count=1)
        )
    cursor.execute("SELECT 1")  # (leave the cursor without a pending result)
    return found


def brand() -> None:
    """The designs on: colours, a logo, the handwriting font, a design per occasion."""
    import io

    from PIL import Image, ImageDraw

    from extramile.cards.branding import clean_logo
    from extramile.cards.models import CardBranding

    image = Image.new("RGB", (320, 120), "white")
    ImageDraw.Draw(image).ellipse((10, 10, 110, 110), fill=(31, 78, 121))
    out = io.BytesIO()
    image.save(out, format="PNG")
    branding = CardBranding.get()
    branding.logo, branding.logo_width, branding.logo_height = clean_logo(out.getvalue())
    branding.handwriting = True
    branding.sign_off = "Warm wishes,"
    branding.designs = {"christmas": "evergreen", "birthday": "confetti", "new_year": "classic"}
    branding.save()


BARE = """#let data = json(bytes(sys.inputs.data))
#set page(width: data.width * 1pt, height: data.height * 1pt, margin: 36pt)
#set text(font: data.fonts, size: 11pt)
#for text in data.pages { page(text) }
"""


def bare_pages(kind: str, items) -> tuple[list[str], tuple[float, float]]:
    """The same text as ``kind``'s pages, one string a page, and the page size."""
    from extramile.cards import printing

    typed = [item for item in items if not item.handwritten]
    addressed = [item for item in items if item.address]
    if kind == "cards":
        texts = [
            "\n\n".join([item.occasion, item.message, item.sign_off, item.signature, item.title])
            for item in typed
        ]
        return texts, printing.PAPER_SIZES["letter"]
    if kind == "envelopes":
        texts = [
            "\n".join([*item.sender, "", item.recipient, *item.address, "", item.reference])
            for item in addressed
        ]
        return texts, printing.ENVELOPE_SIZES["no10"]
    sheets = [addressed[i : i + 30] for i in range(0, len(addressed), 30)]
    texts = [
        "\n\n".join("\n".join([item.recipient, *item.address]) for item in sheet)
        for sheet in sheets
    ]
    return texts, printing.PAPER_SIZES["letter"]


def bare_compile(kind: str, items, style) -> tuple[float, float, int]:
    """Seconds (wall, CPU) for Typst alone to set the same text of ``kind`` on as many pages, in
    the same fonts (the handwriting font for the cards when it is on), and the number of pages."""
    import json

    import typst

    from extramile.cards import fonts, printing

    texts, (width, height) = bare_pages(kind, items)
    scripts = printing.printable(items)[1]
    family = ["Libertinus Serif", *fonts.families(scripts)]
    if kind == "cards" and style.handwriting:
        family.insert(0, fonts.HANDWRITING)
    payload = json.dumps({"width": width, "height": height, "pages": texts, "fonts": family})
    started, cpu_started = time.perf_counter(), cpu()
    typst.compile(BARE.encode(), font_paths=fonts.folders(scripts), ignore_system_fonts=True,
                  sys_inputs={"data": payload}, pdf_tags=False)  # fmt: skip
    return time.perf_counter() - started, cpu() - cpu_started, len(texts)


def load_bound(cards) -> tuple[float, float]:
    """Seconds (wall, CPU) to read the batch's rows as plain tuples: the same query, no model
    objects."""
    from django.db import connection

    from extramile.cards import output

    query = output.ready_cards(cards).only(*output.PRINT_FIELDS).query
    sql, params = query.sql_with_params()
    started, cpu_started = time.perf_counter(), cpu()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.fetchall()
    return time.perf_counter() - started, cpu() - cpu_started


def print_cards(count: int) -> None:
    from dataclasses import asdict

    from extramile.accounts.models import Company
    from extramile.cards import output
    from extramile.cards.models import Card, CardStatus

    write_cards(count)
    brand()
    company = Company.get()
    cards = Card.objects.filter(status=CardStatus.WRITTEN)
    bounds = {"load": load_bound(cards)}
    started, cpu_started = time.perf_counter(), cpu()
    batch = output.build(cards, company)
    built, built_cpu = time.perf_counter() - started, cpu() - cpu_started
    label = f"load {len(batch.items):,} written cards"
    print(
        f"  {label:<40} {built:8.2f} s   (cpu {built_cpu:.1f} s; "
        f"{ratio(built, bounds['load'][0], built_cpu, bounds['load'][1])})"
    )
    options = output.Options()
    # The whole run first, while Typst's caches are cold; then each file alone in a fresh process
    # (Typst keeps what it laid out for the rest of a process: a second run would reuse it).
    started, cpu_started = time.perf_counter(), cpu()
    batch = output.build(cards, company)
    printed = output.render_all(["cards", "envelopes", "labels", "csv"], batch, company, options)
    total, total_cpu = time.perf_counter() - started, cpu() - cpu_started
    assert all(p.error is None for p in printed), [p.error for p in printed]
    resolved = asdict(options.resolved(company.country))
    sender = output.sender_of(company)
    for kind in ("cards", "envelopes", "labels", "csv"):
        seconds, used, size, pages = in_fresh_process(
            alone, kind, batch.items, sender, resolved, batch.style
        )
        extra = ""
        if kind != "csv":
            bare, bare_cpu, bare_count = in_fresh_process(
                bare_compile, kind, batch.items, batch.style
            )
            bounds[kind] = (bare, bare_cpu)
            extra = f", {pages:,} pages; bare {bare:.2f} s, cpu {bare_cpu:.1f} s, {bare_count:,} "
            extra += f"pages; {ratio(seconds, bare, used, bare_cpu)}"
        print(
            f"  {'render ' + kind + ' alone':<40} {seconds:8.2f} s   "
            f"(cpu {used:.1f} s; {size / 1e6:.1f} MB{extra})"
        )
    lower = sum(wall for wall, _ in bounds.values())
    lower_cpu = sum(used for _, used in bounds.values())
    print(
        f"  {'print all: load, then the files at once':<40} {total:8.2f} s   "
        f"(cpu {total_cpu:.1f} s; target < 10 s; lower bound {lower:.2f} s, cpu {lower_cpu:.1f} s; "
        f"{ratio(total, lower, total_cpu, lower_cpu)})"
    )


def in_fresh_process(function, *args):
    """``function(*args)`` in a new Python process (cold caches), its result back."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(function, *args).result()


def alone(kind, items, sender, resolved, style) -> tuple[float, float, int, int]:
    """One print file made alone: wall and CPU seconds, bytes and pages."""
    import io

    from pypdf import PdfReader

    from extramile.cards import printing

    started, cpu_started = time.perf_counter(), cpu()
    data = printing.render_file(kind, items, sender, **resolved, style=style)
    seconds, used = time.perf_counter() - started, cpu() - cpu_started
    pages = 0 if kind == "csv" else len(PdfReader(io.BytesIO(data)).pages)
    return seconds, used, len(data), pages


if __name__ == "__main__":
    main()
