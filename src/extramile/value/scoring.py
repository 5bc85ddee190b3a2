"""The value score: how valuable each customer is, 0–100, and the tiers it gives.

Five components, each turned into a percentile among the customers who have any of it
(``CUME_DIST``: the share of those customers at or below this one, so in (0, 1]); a customer with
none of a component gets 0 for it:

========== ====== ==============================================================================
component  weight what
========== ====== ==============================================================================
recency    25     the day of the last sale in the last ``YEARS`` years (later is better)
frequency  20     how many sales in those years
amount     25     how much they spent in those years
referrals  15     referrals given, those whose referred customer bought counting twice
tenure     15     ``customer_since`` (earlier is better)
========== ====== ==============================================================================

``score = Σ weight × percentile``, so 100 means best on every component and 0 means no sales,
no referrals and no start date on record. Percentiles rather than raw figures keep one huge sale
from flattening everyone else and need no currency or scale; ties share a percentile.

Only customers (status "customer") are scored. ``rank`` is the order over the whole company,
``rank_in_book`` within the owner's book. Tiers are per rep: the top ``tier_a_percent`` % of each
rep's book (rounded to the nearest customer) is A, the next ``tier_b_percent`` % B, the rest C. Per
rep because the tier drives the calls cadence, which each rep works from their own book: a
company-wide cut would give a rep with a strong book more A customers than five calls a day can
reach every month and a rep with a weak book none. A score of 0 is always C (no evidence, no
promotion), and tiers set by hand (``tier_by_hand``) are left alone.

Everything runs in the database: one INSERT … SELECT with window functions writes every score
(ON CONFLICT … DO UPDATE), one UPDATE moves the tiers that changed. Works on SQLite (≥ 3.25) and
PostgreSQL; the same data gives the same ranks on both (ties break on the customer id).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Subquery

from extramile.accounts.models import Company
from extramile.book.models import Customer, Status
from extramile.value.models import ValueRun, ValueScore

YEARS = 3
WORK_MEM = "256MB"  # PostgreSQL, for the scoring transaction only
WEIGHTS = {"recency": 25, "frequency": 20, "amount": 25, "referrals": 15, "tenure": 15}


@dataclass(frozen=True)
class Recomputed:
    scored: int
    tiers_changed: int
    seconds: float


def window_start(today: dt.date) -> dt.date:
    """Sales from this day on count (the last ``YEARS`` years)."""
    try:
        return today.replace(year=today.year - YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - YEARS, day=28)


def percentile(value: str, present: str, order: str) -> str:
    """SQL: the CUME_DIST of ``value`` among the rows where ``present`` holds, else 0."""
    return (
        f"CASE WHEN {present} THEN CUME_DIST() OVER "
        f"(PARTITION BY CASE WHEN {present} THEN 1 ELSE 0 END ORDER BY {value} {order}) ELSE 0 END"
    )


SCORE_SQL = f"""
WITH sold AS (
    SELECT customer_id, COUNT(*) AS sales_count, SUM(amount) AS sales_amount,
           MAX(date) AS last_sale_on
    FROM book_sale WHERE date >= %s AND date <= %s GROUP BY customer_id
), referred AS (
    SELECT referrer_id AS customer_id, COUNT(*) AS referrals,
           COUNT(sale_id) AS referrals_with_sale
    FROM book_referral GROUP BY referrer_id
), base AS (
    SELECT c.id AS customer_id, c.owner_id, c.customer_since, s.last_sale_on,
           COALESCE(s.sales_count, 0) AS sales_count,
           COALESCE(s.sales_amount, 0) AS sales_amount,
           COALESCE(r.referrals, 0) AS referrals,
           COALESCE(r.referrals_with_sale, 0) AS referrals_with_sale
    FROM book_customer c
    LEFT JOIN sold s ON s.customer_id = c.id
    LEFT JOIN referred r ON r.customer_id = c.id
    WHERE c.status = %s
), parts AS (
    SELECT base.*,
        {WEIGHTS["recency"]} * {percentile("last_sale_on", "last_sale_on IS NOT NULL", "ASC")}
      + {WEIGHTS["frequency"]} * {percentile("sales_count", "sales_count > 0", "ASC")}
      + {WEIGHTS["amount"]} * {percentile("sales_amount", "sales_amount > 0", "ASC")}
      + {WEIGHTS["referrals"]} * {
    percentile("referrals + referrals_with_sale", "referrals > 0", "ASC")
}
      + {WEIGHTS["tenure"]} * {percentile("customer_since", "customer_since IS NOT NULL", "DESC")}
        AS score
    FROM base
), ranked AS (
    SELECT parts.*,
        ROW_NUMBER() OVER (ORDER BY score DESC, customer_id) AS rank,
        ROW_NUMBER() OVER (PARTITION BY owner_id ORDER BY score DESC, customer_id) AS rank_in_book,
        COUNT(*) OVER (PARTITION BY owner_id) AS book_size
    FROM parts
)
INSERT INTO value_valuescore (
    customer_id, score, rank, rank_in_book, book_size, tier, last_sale_on, sales_count,
    sales_amount, referrals, referrals_with_sale, computed_at
)
SELECT customer_id, score, rank, rank_in_book, book_size,
    CASE WHEN score <= 0 THEN 'C'
         WHEN rank_in_book * 100 <= book_size * %s + 50 THEN 'A'
         WHEN rank_in_book * 100 <= book_size * %s + 50 THEN 'B'
         ELSE 'C' END,
    last_sale_on, sales_count, sales_amount, referrals, referrals_with_sale, %s
FROM ranked WHERE 1 = 1
ON CONFLICT (customer_id) DO UPDATE SET
    score = excluded.score, rank = excluded.rank, rank_in_book = excluded.rank_in_book,
    book_size = excluded.book_size, tier = excluded.tier, last_sale_on = excluded.last_sale_on,
    sales_count = excluded.sales_count, sales_amount = excluded.sales_amount,
    referrals = excluded.referrals, referrals_with_sale = excluded.referrals_with_sale,
    computed_at = excluded.computed_at
"""  # noqa: S608  (constant text: no user input is formatted in)


def recompute(today: dt.date, now: dt.datetime, company: Company | None = None) -> Recomputed:
    """Score every customer as of ``today`` and move the tiers that changed (hand tiers aside).
    One transaction: a crash leaves yesterday's scores whole."""
    company = company or Company.get()
    started = time.perf_counter()
    ops = connection.ops
    params = [
        ops.adapt_datefield_value(window_start(today)),
        ops.adapt_datefield_value(today),
        Status.CUSTOMER.value,
        company.tier_a_percent,
        company.tier_a_percent + company.tier_b_percent,
        ops.adapt_datetimefield_value(now),
    ]
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Eight window sorts over the book: in memory rather than spilled to disk.
                cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
            cursor.execute(SCORE_SQL, params)
        # Former customers and prospects are not scored: drop what they had.
        ValueScore.objects.exclude(customer__status=Status.CUSTOMER).delete()
        # (Counted, not read from the cursor: SQLite reports no row count for WITH … INSERT.)
        scored = ValueScore.objects.count()
        tiers_changed = apply_tiers()
    return Recomputed(scored, tiers_changed, time.perf_counter() - started)


def apply_tiers() -> int:
    """Give each customer the tier their score says, where it differs and was not set by hand."""
    score = ValueScore.objects.filter(customer_id=OuterRef("pk"))
    changed = score.exclude(tier=OuterRef("tier"))
    return (
        Customer.objects.filter(tier_by_hand=False, status=Status.CUSTOMER)
        .filter(Exists(changed))
        .update(tier=Subquery(score.values("tier")[:1]))
    )


def run_day(company: Company, now: dt.datetime) -> dt.date:
    """The company-local day a nightly run belongs to (the same whichever zone plans first)."""
    return now.astimezone(company.zone).date()


def nightly(now: dt.datetime) -> ValueRun | None:
    """Recompute once per company-local day: the first nightly plan of the day does it, the
    others (one per time zone in use) find the day's ``ValueRun`` and return None."""
    company = Company.get()
    day = run_day(company, now)
    if ValueRun.objects.filter(day=day).exists():
        return None
    with transaction.atomic():
        # Claim the day first: a second worker racing us waits on the unique index, then skips.
        run, created = ValueRun.objects.get_or_create(day=day, defaults={"finished_at": now})
        if not created:
            return None
        result = recompute(day, now, company)
        run.scored, run.tiers_changed, run.seconds = (
            result.scored,
            result.tiers_changed,
            result.seconds,
        )
        run.finished_at = now
        run.save()
    return run
