"""The value score: the order a person would expect, the tiers, and the nightly run."""

from __future__ import annotations

import datetime as dt

from extramile.agenda.engine import plan
from extramile.book.models import Customer, Status
from extramile.value import scoring
from extramile.value.models import ValueRun, ValueScore
from tests.conftest import NOW, make_customer
from tests.value.conftest import TODAY, buyer, refer


def recompute():
    return scoring.recompute(TODAY, NOW)


def ranks() -> list[str]:
    return [
        score.customer.first_name
        for score in ValueScore.objects.select_related("customer").order_by("rank")
    ]


def score_of(customer: Customer) -> ValueScore:
    return ValueScore.objects.get(customer=customer)


def test_a_recent_big_frequent_buyer_beats_an_old_small_one(owner):
    buyer(owner, "Old Small", sales=[(1000, 900)])
    buyer(owner, "Big Recent", sales=[(20, 40_000), (200, 30_000), (500, 20_000)])
    buyer(owner, "Mid Middle", sales=[(300, 9_000), (600, 8_000)])
    buyer(owner, "Never Bought")
    recompute()
    assert ranks() == ["Big", "Mid", "Old", "Never"]
    never = ValueScore.objects.get(customer__first_name="Never")
    assert never.score == 0 and never.tier == "C"
    best = ValueScore.objects.get(customer__first_name="Big")
    assert best.sales_count == 3 and best.sales_amount == 90_000
    assert best.last_sale_on == TODAY - dt.timedelta(days=20)


def test_sales_older_than_three_years_do_not_count(owner):
    old = buyer(owner, "Long Ago", sales=[(4 * 365, 100_000)])
    recent = buyer(owner, "This Year", sales=[(30, 500)])
    recompute()
    assert score_of(recent).score > score_of(old).score == 0
    assert score_of(old).sales_count == 0


def test_referrals_count_and_those_who_bought_count_more(owner):
    same = [(100, 5_000)]
    plain = buyer(owner, "Plain Buyer", sales=same)
    referrer = buyer(owner, "Ref Errer", sales=same)
    closer = buyer(owner, "Clo Ser", sales=same)
    friends = [buyer(owner, f"Friend {n}") for n in range(2)]
    refer(referrer, friends[0])
    refer(closer, friends[1], bought=True)
    recompute()
    assert score_of(closer).score > score_of(referrer).score > score_of(plain).score
    assert (score_of(closer).referrals, score_of(closer).referrals_with_sale) == (1, 1)


def test_tenure_counts(owner):
    same = [(100, 5_000)]
    loyal = buyer(owner, "Loyal Lee", sales=same, since_years=12)
    newer = buyer(owner, "New Nan", sales=same, since_years=1)
    unknown = buyer(owner, "Un Known", sales=same)
    recompute()
    assert score_of(loyal).score > score_of(newer).score > score_of(unknown).score


def test_tiers_are_the_top_20_then_30_percent_of_each_book(owner, colleague):
    people = [buyer(owner, f"P{n} Person", sales=[(10 + n * 30, 1000)]) for n in range(10)]
    few = [buyer(colleague, f"C{n} Colleague", sales=[(10 + n, 500)]) for n in range(3)]
    changed = recompute().tiers_changed
    tiers = [Customer.objects.get(pk=p.pk).tier for p in people]
    assert tiers == ["A"] * 2 + ["B"] * 3 + ["C"] * 5
    # A small book still has its best customer in tier A (rounded to the nearest customer).
    assert [Customer.objects.get(pk=p.pk).tier for p in few] == ["A", "B", "C"]
    assert changed == 2 + 3 + 2  # everyone started as C
    score = score_of(people[0])
    assert (score.rank_in_book, score.book_size) == (1, 10)


def test_the_company_settings_move_the_cut(owner, company):
    company.tier_a_percent, company.tier_b_percent = 10, 10
    company.save()
    people = [buyer(owner, f"P{n} Person", sales=[(10 + n, 1000)]) for n in range(10)]
    recompute()
    tiers = [Customer.objects.get(pk=p.pk).tier for p in people]
    assert tiers == ["A", "B"] + ["C"] * 8


def test_tiers_set_by_hand_are_left_alone(owner):
    best = buyer(owner, "Best Buyer", sales=[(5, 90_000)], tier="C", tier_by_hand=True)
    worst = buyer(owner, "Least Buyer", sales=[(900, 10)], tier="A", tier_by_hand=True)
    for n in range(8):
        buyer(owner, f"P{n} Person", sales=[(100 + n, 1000)])
    recompute()
    best.refresh_from_db()
    worst.refresh_from_db()
    assert (best.tier, worst.tier) == ("C", "A")
    assert score_of(best).tier == "A"  # what the score would say, shown on the page


def test_only_customers_are_scored(owner):
    buyer(owner, "Pro Spect", sales=[(5, 900)], status=Status.PROSPECT)
    former = buyer(owner, "Ex Customer", sales=[(5, 900)])
    recompute()
    assert ValueScore.objects.filter(customer=former).exists()
    Customer.objects.filter(pk=former.pk).update(status=Status.FORMER, tier="A")
    recompute()
    assert ValueScore.objects.count() == 0
    former.refresh_from_db()
    assert former.tier == "A"  # former customers keep what they had


def test_the_nightly_run_scores_once_a_day(owner):
    anna = buyer(owner, "Anna Smith", sales=[(5, 900)])
    plan(TODAY, NOW)
    assert ValueRun.objects.get().scored == 1
    buyer(owner, "Ben Late", sales=[(1, 99_000)])
    # Another zone's plan the same (company-local) day: nothing recomputed.
    plan(TODAY + dt.timedelta(days=1), NOW + dt.timedelta(hours=2))
    assert ValueScore.objects.count() == 1 and ValueRun.objects.count() == 1
    plan(TODAY + dt.timedelta(days=1), NOW + dt.timedelta(days=1))
    assert ValueRun.objects.get(day=TODAY + dt.timedelta(days=1)).scored == 2
    assert score_of(anna).rank == 2
    assert list(ValueRun.objects.values_list("day", flat=True)) == [
        TODAY,
        TODAY + dt.timedelta(days=1),
    ]


def test_known_ranks_on_this_database(owner, colleague):
    """The same book ranks the same on SQLite and PostgreSQL (run on both): ties break by id."""
    names = []
    for n in range(12):
        owner_ = owner if n % 2 else colleague
        names.append(
            buyer(
                owner_,
                f"N{n:02d} Person",
                sales=[(30 * (n % 4) + 1, 1000 * (n % 3 + 1))] * (n % 3),
                since_years=n % 5 or None,
            ).first_name
        )
    friend = make_customer(owner, "Friend", "Ly")
    refer(Customer.objects.get(first_name="N03"), friend, bought=True)
    recompute()
    assert ranks() == [
        "N08", "N02", "N04", "N05", "N11", "N01", "N07", "N10", "N03", "Friend", "N09", "N06",
        "N00",
    ]  # fmt: skip


# The definition, as one statement of window functions (the way the scoring was first written):
# the stepwise scoring (a histogram per component, ranks over narrow rows) must give exactly this.
DEFINITION = """
WITH sold AS (
    SELECT customer_id, COUNT(*) AS sales_count, SUM(amount) AS sales_amount,
           MAX(date) AS last_sale_on
    FROM book_sale WHERE date >= %s AND date <= %s GROUP BY customer_id
), referred AS (
    SELECT referrer_id AS customer_id, COUNT(*) AS referrals, COUNT(sale_id) AS with_sale
    FROM book_referral GROUP BY referrer_id
), base AS (
    SELECT c.id AS customer_id, c.owner_id, c.customer_since, s.last_sale_on,
           COALESCE(s.sales_count, 0) AS sales_count, COALESCE(s.sales_amount, 0) AS amount,
           COALESCE(r.referrals, 0) AS referrals, COALESCE(r.with_sale, 0) AS with_sale
    FROM book_customer c LEFT JOIN sold s ON s.customer_id = c.id
    LEFT JOIN referred r ON r.customer_id = c.id WHERE c.status = 'customer'
), parts AS (
    SELECT customer_id, owner_id,
      25 * CASE WHEN last_sale_on IS NOT NULL THEN CUME_DIST() OVER (PARTITION BY CASE
           WHEN last_sale_on IS NOT NULL THEN 1 ELSE 0 END ORDER BY last_sale_on) ELSE 0 END
    + 20 * CASE WHEN sales_count > 0 THEN CUME_DIST() OVER (PARTITION BY CASE
           WHEN sales_count > 0 THEN 1 ELSE 0 END ORDER BY sales_count) ELSE 0 END
    + 25 * CASE WHEN amount > 0 THEN CUME_DIST() OVER (PARTITION BY CASE
           WHEN amount > 0 THEN 1 ELSE 0 END ORDER BY amount) ELSE 0 END
    + 15 * CASE WHEN referrals > 0 THEN CUME_DIST() OVER (PARTITION BY CASE
           WHEN referrals > 0 THEN 1 ELSE 0 END ORDER BY referrals + with_sale) ELSE 0 END
    + 15 * CASE WHEN customer_since IS NOT NULL THEN CUME_DIST() OVER (PARTITION BY CASE
           WHEN customer_since IS NOT NULL THEN 1 ELSE 0 END ORDER BY customer_since DESC)
           ELSE 0 END AS score
    FROM base
)
SELECT customer_id, score,
    ROW_NUMBER() OVER (ORDER BY score DESC, customer_id),
    ROW_NUMBER() OVER (PARTITION BY owner_id ORDER BY score DESC, customer_id),
    COUNT(*) OVER (PARTITION BY owner_id)
FROM parts ORDER BY customer_id
"""


def test_the_stepwise_scoring_gives_exactly_the_window_function_definition(owner, colleague):
    """Ties, no sales, refunds that leave nothing, old sales, 29 February, referrals with and
    without a sale, no start date, two books, former customers: scores equal to the last bit."""
    import random

    from django.db import connection

    rng = random.Random(20)
    people = []
    for n in range(160):
        sales = [
            (rng.choice([0, 1, 1, 30, 400, 1100, 1200, 2000]), rng.choice([0, 500, 500, 900, -900]))
            for _ in range(rng.choice([0, 0, 1, 1, 2, 3]))
        ]
        people.append(
            buyer(
                owner if n % 3 else colleague,
                f"P{n:03d} Person",
                sales=sales,
                since_years=rng.choice([None, 1, 1, 4, 8]),
                status=Status.FORMER if n % 23 == 0 else Status.CUSTOMER,
            )
        )
    people[5].customer_since = dt.date(2020, 2, 29)
    people[5].save()
    for n in range(0, 150, 7):
        refer(people[n], people[n + 1], bought=n % 2 == 0)
    recompute()
    with connection.cursor() as cursor:
        ops = connection.ops
        cursor.execute(
            DEFINITION,
            [
                ops.adapt_datefield_value(scoring.window_start(TODAY)),
                ops.adapt_datefield_value(TODAY),
            ],
        )
        expected = [tuple(row) for row in cursor.fetchall()]
    got = list(
        ValueScore.objects.order_by("customer_id").values_list(
            "customer_id", "score", "rank", "rank_in_book", "book_size"
        )
    )
    assert len(got) == len(expected) > 140
    assert got == expected
