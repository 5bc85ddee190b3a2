"""Benchmark: plan the December card season for everyone, and print 10,000 written cards with
the designs on (the company's colours and logo, a design per occasion, the handwriting font),
their envelopes and labels; and the ratio of that to a bare Typst compile of the same pages (the
lower bound: the same text, one page per card and envelope, a page per label sheet, no design, no
fitting).

    python bench/cards.py [--customers 1000000] [--reps 200] [--print 10000]

Runs on a throwaway SQLite file, and also on PostgreSQL when EXTRAMILE_TEST_DATABASE_URL is set
(a database named extramile_bench_cards is created and dropped). Prints figures; asserts nothing.
Targets on 2 cores: planning the season for 1,000,000 customers < 30 s; 10,000 cards with their
envelopes and labels rendered < 15 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

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
    common.engine_arguments(parser)
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
    common.each_engine(__file__, "extramile_bench_cards")


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
    with common.database(args):
        from django.db import transaction
        from django.utils import timezone

        from extramile.cards.planning import plan_cards

        _reps, generated = common.generate(args.customers, args.reps)
        pairs = households()
        now = timezone.now()
        # The lower bound: the season's own statements (one INSERT … SELECT per occasion and
        # date, the reads around them), recorded in a dry run rolled back and replayed bare.
        recorder = common.Recorder()
        with recorder, transaction.atomic():
            recorder.label = "season"
            sid = transaction.savepoint()
            plan_cards(*SEASON, now)
            transaction.savepoint_rollback(sid)
        bound = recorder.replay("season")
        started = time.perf_counter()
        summary = plan_cards(*SEASON, now)
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = plan_cards(*SEASON, now)
        second = time.perf_counter() - started
        print(f"\n[{args.engine}] {args.customers:,} customers ({pairs:,} two-person households)")
        print(f"  {'generate the book':<40} {generated:8.1f} s")
        print(
            common.step_line(
                "plan December, first run",
                first,
                bound,
                f"mail-by 1-31 Dec; {summary.created:,} cards: {summary.planned}; target ≤ 20 s",
                width=40,
            )
        )
        print(f"  {'plan it again (idempotent)':<40} {second:8.2f} s   ({again.created} new)")

        if args.printed:
            print_cards(args.printed)


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
#for text in data.pages { page(text) }
"""


def bare_compile(batch, pages: dict[str, int]) -> float:
    """Seconds for Typst alone to set the same text on the same number of pages."""
    import json

    import typst

    from extramile.cards import fonts, printing

    typed = [item for item in batch.items if not item.handwritten]
    addressed = [item for item in batch.items if item.address]
    texts = [item.message for item in typed][: pages["cards"]]
    texts += ["\n".join([item.recipient, *item.address]) for item in addressed][
        : pages["envelopes"]
    ]
    sheets = [addressed[i : i + 30] for i in range(0, len(addressed), 30)][: pages["labels"]]
    texts += ["\n".join(item.recipient for item in sheet) for sheet in sheets]
    scripts = printing.printable(batch.items)[1]
    payload = json.dumps({"width": 612, "height": 792, "pages": texts})
    started = time.perf_counter()
    typst.compile(BARE.encode(), font_paths=fonts.folders(scripts), ignore_system_fonts=True,
                  sys_inputs={"data": payload}, pdf_tags=False)  # fmt: skip
    return time.perf_counter() - started


def print_cards(count: int) -> None:
    import io

    from pypdf import PdfReader

    from extramile.accounts.models import Company
    from extramile.cards import output
    from extramile.cards.models import Card

    ids = write_cards(count)
    brand()
    company = Company.get()
    started = time.perf_counter()
    batch = output.build(Card.objects.filter(pk__in=ids), company)
    built = time.perf_counter() - started
    timings = {}
    sizes = {}
    options = output.Options()
    pages: dict[str, int] = {}
    for kind in ("cards", "envelopes", "labels", "csv"):
        started = time.perf_counter()
        data = output.render(kind, batch, company, options)
        timings[kind] = time.perf_counter() - started
        sizes[kind] = len(data)
        if kind != "csv":
            pages[kind] = len(PdfReader(io.BytesIO(data)).pages)
    print(f"  {'load ' + format(len(batch.items), ',') + ' written cards':<40} {built:8.2f} s")
    for kind, seconds in timings.items():
        extra = f", {pages[kind]:,} pages" if kind in pages else ""
        print(f"  {'render ' + kind:<40} {seconds:8.2f} s   ({sizes[kind] / 1e6:.1f} MB{extra})")
    total = built + sum(timings.values())
    print(f"  {'print total (designs on)':<40} {total:8.2f} s   (target < 10 s)")
    bare = bare_compile(batch, pages)
    print(f"  {'bare Typst compile, same pages':<40} {bare:8.2f} s")
    print(f"  ratio to lower bound: {total / bare:.1f}×")


if __name__ == "__main__":
    main()
