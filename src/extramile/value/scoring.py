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

Everything runs in the database, in one transaction, through temporary tables (no Python per
customer): one INSERT … SELECT gathers each customer's five figures (``value_base``); per
component, the customers are counted per distinct value and a running sum over those few
thousand values gives each value its ``CUME_DIST`` exactly (``value_<component>``), instead of
sorting the whole book five times; the weighted sum is joined from those (``value_scored``); the
two ranks are numbered over the narrow scored rows and written with ON CONFLICT … DO UPDATE only
where something in the row changed; one joined UPDATE moves the tiers that changed.
``computed_at`` is therefore when the row last changed. tests/value/test_scoring.py checks the
result against the plain window-function definition on both engines. Works on SQLite (≥ 3.25) and
PostgreSQL; the same data gives the same ranks on both (ties break on the customer id).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from extramile.accounts.models import Company
from extramile.book.models import Status
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


# One percentile component: its name, the value, when a customer has it, and which way is better.
COMPONENTS = (
    ("recency", "last_sale_on", "last_sale_on IS NOT NULL", "ASC"),
    ("frequency", "sales_count", "sales_count > 0", "ASC"),
    ("amount", "sales_amount", "sales_amount > 0", "ASC"),
    ("referrals", "referrals + referrals_with_sale", "referrals > 0", "ASC"),
    ("tenure", "customer_since", "customer_since IS NOT NULL", "DESC"),
)

# Every scored customer's components, in a temporary table keyed by the customer.
BASE_SQL = """
INSERT INTO value_base
SELECT c.id, c.owner_id, c.tier, c.tier_by_hand, c.customer_since, s.last_sale_on,
       COALESCE(s.sales_count, 0), COALESCE(s.sales_amount, 0),
       COALESCE(r.referrals, 0), COALESCE(r.referrals_with_sale, 0)
FROM book_customer c
LEFT JOIN (
    SELECT customer_id, COUNT(*) AS sales_count, SUM(amount) AS sales_amount,
           MAX(date) AS last_sale_on
    FROM book_sale WHERE date >= %s AND date <= %s GROUP BY customer_id
) s ON s.customer_id = c.id
LEFT JOIN (
    SELECT referrer_id AS customer_id, COUNT(*) AS referrals, COUNT(sale_id) AS referrals_with_sale
    FROM book_referral GROUP BY referrer_id
) r ON r.customer_id = c.id
WHERE c.status = %s
"""


def histogram_sql(name: str, value: str, present: str, order: str) -> str:
    """SQL: each distinct value of a component with its ``CUME_DIST`` among the customers who
    have it — the running count of customers at or below (for ``DESC``: at or above) the value,
    over their number — from a count per value: the sort is over the distinct values, not the
    book, and the division is the one ``CUME_DIST`` does (a double over a double)."""
    return (
        f"INSERT INTO value_{name} "  # noqa: S608  (constant text)
        f"SELECT v, CAST(SUM(n) OVER (ORDER BY v {order}) AS DOUBLE PRECISION) "
        f"/ CAST(SUM(n) OVER () AS DOUBLE PRECISION) "
        f"FROM (SELECT {value} AS v, COUNT(*) AS n FROM value_base WHERE {present} "
        f"GROUP BY {value}) AS counted"
    )


SCORED_SQL = (
    "INSERT INTO value_scored SELECT b.customer_id, b.owner_id, "  # noqa: S608  (constant)
    + "\n + ".join(
        f"{WEIGHTS[name]} * COALESCE({name}.p, 0)" for name, _value, _present, _order in COMPONENTS
    )
    + " FROM value_base b "
    + " ".join(
        f"LEFT JOIN value_{name} {name} ON {name}.v = {value.replace('referrals', 'b.referrals')}"
        if name == "referrals"
        else f"LEFT JOIN value_{name} {name} ON {name}.v = b.{value}"
        for name, value, _present, _order in COMPONENTS
    )
)

# The ranks and the tier they give, over the narrow (customer, owner, score) rows.
RANKED_SQL = """
INSERT INTO value_ranked
SELECT customer_id, score, rank, rank_in_book, book_size,
    CASE WHEN score <= 0 THEN 'C'
         WHEN rank_in_book * 100 <= book_size * %s + 50 THEN 'A'
         WHEN rank_in_book * 100 <= book_size * %s + 50 THEN 'B'
         ELSE 'C' END
FROM (
    SELECT customer_id, score,
        ROW_NUMBER() OVER (ORDER BY score DESC, customer_id) AS rank,
        ROW_NUMBER() OVER (PARTITION BY owner_id ORDER BY score DESC, customer_id) AS rank_in_book,
        COUNT(*) OVER (PARTITION BY owner_id) AS book_size
    FROM value_scored
) ranked
"""

# The figures joined back; each row written only where something in it changed (a night moves
# few of a million scores' figures).
WRITE_SQL = """
INSERT INTO value_valuescore (
    customer_id, score, rank, rank_in_book, book_size, tier, last_sale_on, sales_count,
    sales_amount, referrals, referrals_with_sale, computed_at
)
SELECT b.customer_id, r.score, r.rank, r.rank_in_book, r.book_size, r.tier,
    b.last_sale_on, b.sales_count, b.sales_amount, b.referrals, b.referrals_with_sale, %s
FROM value_ranked r
JOIN value_base b ON b.customer_id = r.customer_id
WHERE 1 = 1
ON CONFLICT (customer_id) DO UPDATE SET
    score = excluded.score, rank = excluded.rank, rank_in_book = excluded.rank_in_book,
    book_size = excluded.book_size, tier = excluded.tier, last_sale_on = excluded.last_sale_on,
    sales_count = excluded.sales_count, sales_amount = excluded.sales_amount,
    referrals = excluded.referrals, referrals_with_sale = excluded.referrals_with_sale,
    computed_at = excluded.computed_at
WHERE value_valuescore.score <> excluded.score OR value_valuescore.rank <> excluded.rank
    OR value_valuescore.rank_in_book <> excluded.rank_in_book
    OR value_valuescore.book_size <> excluded.book_size OR value_valuescore.tier <> excluded.tier
    OR value_valuescore.last_sale_on {distinct} excluded.last_sale_on
    OR value_valuescore.sales_count <> excluded.sales_count
    OR value_valuescore.sales_amount <> excluded.sales_amount
    OR value_valuescore.referrals <> excluded.referrals
    OR value_valuescore.referrals_with_sale <> excluded.referrals_with_sale
"""

# The temporary tables: (name, columns). Keyed so the joins above are lookups on both engines.
TEMPORARY = (
    (
        "value_base",
        "customer_id bigint PRIMARY KEY, owner_id bigint, tier varchar(1), tier_by_hand boolean, "
        "customer_since date, last_sale_on date, sales_count bigint, sales_amount numeric, "
        "referrals bigint, referrals_with_sale bigint",
    ),
    ("value_recency", "v date PRIMARY KEY, p double precision"),
    ("value_frequency", "v bigint PRIMARY KEY, p double precision"),
    ("value_amount", "v numeric PRIMARY KEY, p double precision"),
    ("value_referrals", "v bigint PRIMARY KEY, p double precision"),
    ("value_tenure", "v date PRIMARY KEY, p double precision"),
    ("value_scored", "customer_id bigint PRIMARY KEY, owner_id bigint, score double precision"),
    (
        "value_ranked",
        "customer_id bigint PRIMARY KEY, score double precision, rank bigint, "
        "rank_in_book bigint, book_size bigint, tier varchar(1)",
    ),
    ("value_moved", "customer_id bigint PRIMARY KEY, tier varchar(1)"),
)


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
    sqlite = connection.vendor == "sqlite"
    with transaction.atomic(), connection.cursor() as cursor:
        if not sqlite:
            # The window sorts over the book: in memory rather than spilled to disk.
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        for table, columns in TEMPORARY:
            if sqlite:  # the rowid itself, not a second index beside it
                columns = columns.replace("bigint PRIMARY KEY", "INTEGER PRIMARY KEY")
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"CREATE TEMPORARY TABLE {table} ({columns})")
        cursor.execute(BASE_SQL, params[:3])
        for component in COMPONENTS:
            cursor.execute(histogram_sql(*component))
        cursor.execute(SCORED_SQL)
        if not sqlite:
            cursor.execute("ANALYZE value_base")
        cursor.execute(RANKED_SQL, params[3:5])
        cursor.execute(
            WRITE_SQL.format(distinct="IS NOT" if sqlite else "IS DISTINCT FROM"), params[5:]
        )
        tiers_changed = apply_tiers(cursor)
        for table, _columns in TEMPORARY:
            cursor.execute(f"DROP TABLE {table}")
        # Former customers and prospects are not scored: drop what they had.
        ValueScore.objects.exclude(customer__status=Status.CUSTOMER).delete()
        # (Counted, not read from the cursor: SQLite reports no row count for INSERT … SELECT
        # … ON CONFLICT, and unchanged rows are not written.)
        scored = ValueScore.objects.count()
    return Recomputed(scored, tiers_changed, time.perf_counter() - started)


# The customers whose tier is not the one their score gives (and not set by hand), from the
# tier each had when the base was read: a few thousand rows on a normal night, found without
# reading the wide customer table again.
MOVED_SQL = """
INSERT INTO value_moved
SELECT b.customer_id, r.tier FROM value_base b JOIN value_ranked r ON r.customer_id = b.customer_id
WHERE b.tier <> r.tier AND b.tier_by_hand = %s
"""

TIERS_SQL = """
UPDATE book_customer SET tier = m.tier FROM value_moved m
WHERE m.customer_id = book_customer.id AND book_customer.tier_by_hand = %s
  AND book_customer.status = %s
"""


def apply_tiers(cursor: CursorWrapper) -> int:
    """Give each customer the tier their score says, where it differs and was not set by hand:
    the moved ones are listed first, then only their rows are updated (by primary key)."""
    cursor.execute(MOVED_SQL, [False])
    if connection.vendor != "sqlite":  # a plan by the moved rows' count, not a guess
        cursor.execute("ANALYZE value_moved")
    cursor.execute(TIERS_SQL, [False, Status.CUSTOMER.value])
    return cursor.rowcount


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
