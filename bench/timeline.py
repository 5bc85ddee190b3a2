"""Benchmark: one customer's timeline with 5,000 events (ten years of history).

    python bench/timeline.py [--events 5000] [--noise 200] [--runs 30]

Builds, on a throwaway SQLite file (and on PostgreSQL when EXTRAMILE_TEST_DATABASE_URL is set:
a database named extramile_bench_timeline is created and dropped), a rep, one customer with
``--events`` records spread over ten years across every source of the timeline (notes, calls,
contacts, messages in and their replies, cards, thank-you notes, articles, service requests and
their events, sales, referrals, promises made and met, stories, lunches) and ``--noise`` other
customers with 100 records each, so the indexes have something to skip.

Then times (median of ``--runs`` after one warm-up):

- **first page**: ``timeline.page`` (one query per source, merged) and rendering its entries,
  as the customer page does;
- **lower bound**: the bare SQL of the same rows — exactly the statements the first page ran,
  captured with their parameters and executed on the raw cursor with ``fetchall()`` (no models,
  no merge, no template);
- a deep page (the 100th), to show that keyset pagination costs the same far back.

Prints the times, ``ratio to lower bound: N.N×`` and the target (100 ms); asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # the shared database set-up

TARGET_MS = 100
PERIODS = itertools.count()  # one lunch suggestion per rep and period
NOW = dt.datetime(2026, 11, 26, 17, 0, tzinfo=dt.UTC)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--noise", type=int, default=200, help="other customers (100 records each)")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], help="(internal) one engine")
    parser.add_argument("--database-url", help="(internal)")
    return parser.parse_args()


def main() -> None:
    args = parse()
    if args.engine:
        run_one(args)
        return
    print(f"ExtraMile timeline benchmark: {args.events:,} events, {os.cpu_count()} cores")
    print(common.machine_speed())
    for engine, url in common.engines("extramile_bench_timeline"):
        command = [
            sys.executable,
            __file__,
            "--engine",
            engine,
            "--events",
            str(args.events),
            "--noise",
            str(args.noise),
            "--runs",
            str(args.runs),
        ]
        if url:
            command += ["--database-url", url]
        subprocess.run(command, check=True)


def history(customer: Any, rep: Any, events: int, rng: random.Random) -> int:
    """``events`` records about ``customer`` over ten years, in every source's proportion."""
    from extramile.agenda.models import Action, Priority
    from extramile.articles.models import Article, ArticleMailing
    from extramile.book.models import Contact, Customer, Promise, Referral, Sale
    from extramile.cards.models import Card, Occasion
    from extramile.culture.models import Story
    from extramile.inbox.models import InboundMessage
    from extramile.outreach.models import Call
    from extramile.service.models import ServiceEvent, ServiceRequest
    from extramile.timeline.models import Note
    from extramile.value.models import Invitation

    span = 10 * 365 * 24 * 3600

    def moment() -> dt.datetime:
        return NOW - dt.timedelta(seconds=rng.randrange(span))

    share = {  # of the events
        "note": 0.2, "call": 0.2, "contact": 0.1, "message": 0.16, "card": 0.04, "thanks": 0.02,
        "article": 0.03, "service": 0.05, "sale": 0.03, "promise": 0.1, "story": 0.03,
        "lunch": 0.02, "referral": 0.02,
    }  # fmt: skip
    n = {kind: max(1, int(events * part)) for kind, part in share.items()}
    Note.objects.bulk_create(
        Note(customer=customer, author=rep, at=moment(), text=f"Note {i}: what was said")
        for i in range(n["note"])
    )
    calls = []
    for i in range(n["call"]):
        at = moment()
        calls.append(
            Action(
                key=f"bench-call:{customer.pk}:{i}",
                kind="call",
                owner=rep,
                customer=customer,
                title="Call",
                due_on=at.date(),
                priority=Priority.CALL,
                status="done",
                created_at=at,
                updated_at=at,
            )
        )
    Action.objects.bulk_create(calls)
    Call.objects.bulk_create(
        Call(
            action=a, customer=customer, user=rep, at=a.created_at, outcome="all_fine", note="Fine"
        )
        for a in calls
    )
    Contact.objects.bulk_create(
        Contact(customer=customer, user=rep, at=moment(), channel="meeting", summary="Met")
        for _ in range(n["contact"])
    )
    messages = []
    for _ in range(n["message"] // 2):
        at = moment()
        messages.append(
            InboundMessage(
                channel="email",
                received_at=at,
                from_address="anna@example.com",
                customer=customer,
                owner=rep,
                summary="A question",
                reply_due_at=at + dt.timedelta(hours=1),
                replied_at=at + dt.timedelta(minutes=30),
                replied_by=rep,
                response_minutes=30,
                created_at=at,
            )
        )
    InboundMessage.objects.bulk_create(messages)
    occasion = Occasion.objects.order_by("pk").first()
    sales = []
    for i in range(n["sale"]):
        sales.append(
            Sale(customer=customer, date=moment().date(), description=f"Sale {i}", amount=100)
        )
    Sale.objects.bulk_create(sales)
    cards = []
    for i in range(n["card"] + n["thanks"]):
        at = moment()
        thanks = i >= n["card"]
        cards.append(
            Card(
                occasion=occasion,
                year=at.year,
                occasion_on=dt.date(2016, 1, 1) + dt.timedelta(days=i),  # unique per customer
                mail_by=at.date(),
                owner=rep,
                customer=customer,
                sale=sales[i % len(sales)] if thanks else None,
                status="mailed",
                mailed_at=at,
                created_at=at,
                updated_at=at,
            )
        )
    Card.objects.bulk_create(cards)
    articles = Article.objects.bulk_create(
        Article(title=f"Article {i}", url=f"https://example.com/{customer.pk}/{i}", created_at=NOW)
        for i in range(n["article"])
    )
    days = rng.sample(range(3650), n["article"])
    ArticleMailing.objects.bulk_create(
        ArticleMailing(
            customer=customer,
            owner=rep,
            article=article,
            planned_on=(NOW - dt.timedelta(days=d)).date(),
            status="sent",
            sent_at=NOW - dt.timedelta(days=d),
            sent_on=(NOW - dt.timedelta(days=d)).date(),
            created_at=NOW,
            updated_at=NOW,
        )
        for article, d in zip(articles, days, strict=True)
    )
    requests = []
    for i in range(max(1, n["service"] // 4)):
        at = moment()
        requests.append(
            ServiceRequest(
                customer=customer,
                subject=f"Request {i}",
                opened_at=at,
                opened_by=rep,
                assignee=rep,
                status="resolved",
                resolved_at=at + dt.timedelta(days=1),
                first_response_due_at=at,
                response_target_minutes=60,
                resolve_target_minutes=2880,
                resolve_due_at=at,
                updated_at=at,
            )
        )
    ServiceRequest.objects.bulk_create(requests)
    ServiceEvent.objects.bulk_create(
        ServiceEvent(request=r, at=r.opened_at + dt.timedelta(hours=h), user=rep, kind="note")
        for r in requests
        for h in range(4)
    )
    promises = Promise.objects.bulk_create(
        Promise(customer=customer, description=f"Promise {i}", due_on=moment().date())
        for i in range(n["promise"] // 2)
    )
    for promise in promises:
        at = moment()
        Promise.objects.filter(pk=promise.pk).update(
            created_at=at, met_at=at + dt.timedelta(days=2)
        )
    Story.objects.bulk_create(
        Story(author=rep, customer=customer, date=moment().date(), what_done="Went the extra mile",
              created_at=NOW, updated_at=NOW)
        for _ in range(n["story"])
    )  # fmt: skip
    Invitation.objects.bulk_create(
        Invitation(customer=customer, owner=rep, period_start=NOW.date() - dt.timedelta(days=next(PERIODS)),
                   suggested_on=NOW.date(), status="held", kind="lunch",
                   meal_on=moment().date(), created_at=NOW, updated_at=NOW)
        for i in range(n["lunch"])
    )  # fmt: skip
    friends = Customer.objects.bulk_create(
        Customer(owner=rep, first_name="Friend", last_name=str(i)) for i in range(n["referral"])
    )
    Referral.objects.bulk_create(
        Referral(referrer=customer, referred=friend, date=moment().date()) for friend in friends
    )
    return (
        n["note"] + n["call"] + n["contact"] + 2 * len(messages) + len(cards) + len(articles)
        + 4 * len(requests) + 2 * len(promises) + n["story"] + n["lunch"] + n["sale"] + len(friends)
    )  # fmt: skip


def median_ms(function: Any, runs: int) -> float:
    function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def run_one(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        common.setup(args, workdir)
        from django.db import connection, transaction
        from django.template.loader import render_to_string

        from extramile.accounts.models import Company, User
        from extramile.book.models import Customer
        from extramile.timeline import timeline

        rng = random.Random(7)
        company = Company.get()
        company.time_zone = "America/New_York"
        company.save()
        rep = User.objects.create_user("rep", role="rep")
        started = time.perf_counter()
        with transaction.atomic():
            customer = Customer.objects.create(owner=rep, first_name="Anna", last_name="Smith")
            total = history(customer, rep, args.events, rng)
            for i in range(args.noise):
                other = Customer.objects.create(owner=rep, first_name="Other", last_name=str(i))
                history(other, rep, 100, rng)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        else:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(
            f"\n{connection.vendor}: the customer has {total:,} events "
            f"(+{args.noise} other customers), built in {time.perf_counter() - started:.1f} s"
        )
        zone = timeline.company_zone(company)

        def first_page() -> str:
            found = timeline.page(customer, rep, zone=zone)
            return render_to_string(
                "timeline/_entries.html",
                {"timeline": found.entries, "customer": customer,
                 "timeline_next": found.next.encode() if found.next else "", "timeline_query": ""},
            )  # fmt: skip

        statements: list[tuple[str, Any]] = []

        def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            statements.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(capture):
            timeline.page(customer, rep, zone=zone)
        rows = 0

        def bare() -> None:
            nonlocal rows
            rows = 0
            with connection.cursor() as cursor:
                for sql, params in statements:
                    cursor.execute(sql, params)
                    rows += len(cursor.fetchall())

        cursor_at = None
        for _ in range(99):
            cursor_at = timeline.page(customer, rep, after=cursor_at, zone=zone).next
        page_ms = median_ms(first_page, args.runs)
        bound_ms = median_ms(bare, args.runs)
        deep_ms = median_ms(
            lambda: timeline.page(customer, rep, after=cursor_at, zone=zone), args.runs
        )
        print(
            f"first page ({timeline.PAGE} entries, {len(statements)} queries, {rows} rows read): {page_ms:.1f} ms"
        )
        print(f"lower bound (the same SQL on the bare cursor): {bound_ms:.1f} ms")
        print(f"ratio to lower bound: {page_ms / bound_ms:.1f}×")
        print(f"page 100 (keyset): {deep_ms:.1f} ms")
        print(f"target: {TARGET_MS} ms — {'met' if page_ms < TARGET_MS else 'NOT met'}")
        if args.engine == "postgresql":
            common.drop_postgres(args.database_url)


if __name__ == "__main__":
    main()
