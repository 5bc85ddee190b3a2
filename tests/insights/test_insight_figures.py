"""Each figure on a hand-built book: referrals over time and rewards, repeat purchase, retention,
families across generations, response times per month — and never another team's customers."""

from __future__ import annotations

import datetime as dt

from extramile.book.family import generation_count
from extramile.inbox.models import InboundMessage
from extramile.insights import analytics
from extramile.insights.analytics import Rate
from tests.conftest import NOW, make_customer
from tests.insights.helpers import parent_of, refer, sale

TODAY = NOW.date()


def test_referrals_per_month_for_24_months_with_gaps_as_zero(owner, outsider):
    a = make_customer(owner, "Ann", "A")
    for i, on in enumerate([dt.date(2026, 11, 2), dt.date(2026, 11, 20), dt.date(2025, 1, 31)]):
        refer(a, make_customer(owner, f"F{i}", "F"), on)
    refer(a, make_customer(owner, "Too", "Old"), dt.date(2024, 11, 30))  # 25 months back
    x = make_customer(outsider, "Xena", "X")
    refer(x, make_customer(outsider, "Y", "Y"), dt.date(2026, 11, 3))
    months = analytics.referrals_by_month(analytics.book_referrals(owner), TODAY)
    assert len(months) == 24
    assert months[0] == (dt.date(2024, 12, 1), 0)
    assert months[-1] == (dt.date(2026, 11, 1), 2)
    assert dict(months)[dt.date(2025, 1, 1)] == 1
    assert sum(count for _, count in months) == 3


def test_rewards_owed_and_paid_with_their_sums(owner, outsider):
    a = make_customer(owner, "Ann", "A")
    refer(a, make_customer(owner, "B", "B"), TODAY, "owed", "50")
    refer(a, make_customer(owner, "C", "C"), TODAY, "owed", "25.50")
    refer(a, make_customer(owner, "D", "D"), TODAY, "paid", "100")
    refer(a, make_customer(owner, "E", "E"), TODAY, "pending", "10")
    x = make_customer(outsider, "Xena", "X")
    refer(x, make_customer(outsider, "Y", "Y"), TODAY, "owed", "999")
    rewards = analytics.rewards(analytics.book_referrals(owner))
    assert (rewards.owed, rewards.owed_sum) == (2, 75.5)
    assert (rewards.paid, rewards.paid_sum) == (1, 100)
    assert rewards.pending == 1


def test_repeat_purchase_and_retention(owner, outsider):
    once = make_customer(owner, "Once", "O")
    sale(once, dt.date(2024, 5, 1))  # bought before the last 12 months only: not retained
    twice = make_customer(owner, "Twice", "T")
    sale(twice, dt.date(2024, 5, 1))
    sale(twice, dt.date(2026, 6, 1))  # retained
    recent = make_customer(owner, "New", "N")
    sale(recent, dt.date(2026, 6, 1))  # new this year: not in the retention base
    make_customer(owner, "Never", "N")
    prospect = make_customer(owner, "Pro", "Spect", status="prospect")
    sale(prospect, dt.date(2026, 1, 1))  # prospects are not in the book's figures
    x = make_customer(outsider, "Xena", "X")
    sale(x, dt.date(2024, 5, 1))
    sale(x, dt.date(2026, 5, 1))
    figures = analytics.page_figures(owner, NOW)
    assert figures["customers"] == 4
    assert figures["repeat"] == Rate(1, 3)
    assert figures["retention"] == Rate(1, 2)


def test_families_across_two_and_three_generations(owner, outsider, admin_user):
    # three generations: grandma → mum → kid, with grandpa in grandma's household
    from extramile.book.models import Household

    home = Household.objects.create(name="The Olds")
    grandma = make_customer(owner, "Grandma", "G", household=home)
    grandpa = make_customer(owner, "Grandpa", "G", household=home)
    mum = make_customer(owner, "Mum", "G")
    kid = make_customer(owner, "Kid", "G")
    parent_of(grandma, mum)
    parent_of(grandpa, mum)
    parent_of(mum, kid)
    # two generations: dad → son
    dad = make_customer(owner, "Dad", "D")
    parent_of(dad, make_customer(owner, "Son", "D"))
    # two in this book: the grandparent is in another team's book
    elder = make_customer(outsider, "Elder", "E")
    middle = make_customer(owner, "Middle", "E")
    parent_of(elder, middle)
    parent_of(middle, make_customer(owner, "Young", "E"))
    # alone
    make_customer(owner, "Solo", "S")
    assert analytics.families(analytics.book_links(owner)) == analytics.Families(two=2, three=1)
    # the same answer as the customer page's family walk
    assert generation_count(grandma) == 3 and generation_count(dad) == 2
    # the admin sees the Elders' third generation
    assert analytics.families(analytics.book_links(admin_user)).three == 2


def message(owner, received, minutes=None, due_in=60):
    replied = None if minutes is None else received + dt.timedelta(minutes=minutes)
    due = received + dt.timedelta(minutes=due_in)
    return InboundMessage.objects.create(
        channel="call",
        received_at=received,
        from_address="+14155550123",
        owner=owner,
        reply_due_at=due,
        replied_at=replied,
        response_minutes=minutes,
        breached=replied is not None and replied > due,
        created_at=received,
    )


def test_response_times_per_month(owner, outsider):
    nov = dt.datetime(2026, 11, 10, 15, 0, tzinfo=dt.UTC)
    message(owner, nov, 10)
    message(owner, nov, 30)
    message(owner, nov, 90)  # late
    message(owner, nov)  # unanswered past the deadline: late
    message(owner, NOW - dt.timedelta(minutes=5))  # still inside its hour: not judged
    message(owner, dt.datetime(2026, 9, 3, 15, tzinfo=dt.UTC), 20)
    message(outsider, nov, 500)
    months = dict(analytics.response_times(owner, NOW, TODAY))
    assert len(months) == 12
    november = months[dt.date(2026, 11, 1)]
    assert (november.within, november.judged, november.median_minutes) == (2, 4, 30)
    assert months[dt.date(2026, 9, 1)].percent_within == "100%"
    assert months[dt.date(2026, 10, 1)].judged == 0
