"""The rotation over a simulated year: plan each day, make the day's calls (“all fine”), move on."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import defaultdict

from extramile.agenda.models import ActionStatus
from extramile.book.models import Customer
from extramile.outreach import outcomes
from extramile.outreach.coverage import coverage
from tests.outreach.conftest import callable_customer
from tests.outreach.test_rotation import calls, plan_calls

START = dt.date(2026, 1, 5)  # a Monday
CADENCE = {"A": 30, "B": 90, "C": 180}


def morning(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(14, 30), tzinfo=dt.UTC)  # 09:30 in New York


def simulate(owner, days: int) -> dict[int, list[dt.date]]:
    """Plan every day and make every planned call; the days each customer was called."""
    called: dict[int, list[dt.date]] = defaultdict(list)
    for offset in range(days):
        day = START + dt.timedelta(days=offset)
        now = morning(day)
        plan_calls(day, now)
        for action in calls(owner, day):
            if action.status == ActionStatus.OPEN:
                outcomes.all_fine(action, now, owner)
                called[action.customer_id].append(day)
    return called


def ratio(customer: Customer, now: dt.datetime) -> float:
    assert customer.last_contact_at is not None
    return (now - customer.last_contact_at) / dt.timedelta(days=CADENCE[customer.tier])


def spread_book(owner, tiers: dict[str, int], rng: random.Random) -> None:
    for tier, count in tiers.items():
        for n in range(count):
            days = rng.uniform(0, CADENCE[tier])
            callable_customer(
                owner, f"{tier}{n} Book", tier=tier, days_ago=days, now=morning(START)
            )


def test_a_book_that_fits_is_reached_within_cadence_all_year(owner, company):
    company.calls_per_day = 2
    company.save()
    # 10/30 + 30/90 + 60/180 = 1 call a calendar day, 1.4 a working day: fits in 2.
    spread_book(owner, {"A": 10, "B": 30, "C": 60}, random.Random(7))
    [mine] = coverage([owner], morning(START))
    assert not mine.over_capacity and mine.warning() == ""
    called = simulate(owner, 365)
    end = morning(START + dt.timedelta(days=365))
    assert max(ratio(c, end) for c in Customer.objects.all()) <= 1
    for days in called.values():
        assert all((b - a).days >= 7 for a, b in itertools.pairwise(days))
    # Every gap between two calls to a customer is within their cadence.
    for customer in Customer.objects.all():
        days = called[customer.pk]
        assert days, f"{customer} was never called"
        assert all((b - a).days <= CADENCE[customer.tier] for a, b in itertools.pairwise(days))
    [mine] = coverage([owner], end)
    assert mine.share == 1


def test_a_book_too_big_gets_a_warning_and_the_most_overdue_first(owner, company):
    company.calls_per_day = 2
    company.save()
    # 300 tier C customers: 300/180 × 7/5 = 2.3 calls a working day, more than 2.
    spread_book(owner, {"C": 300}, random.Random(8))
    [mine] = coverage([owner], morning(START))
    assert mine.warning() == (
        "Your book needs 2.3 calls a working day to stay within cadence; you make 2."
    )
    for offset in range(28):
        day = START + dt.timedelta(days=offset)
        now = morning(day)
        plan_calls(day, now)
        todays = [a for a in calls(owner, day) if a.status == ActionStatus.OPEN]
        picked = {a.customer_id for a in todays}
        if picked:
            waiting = [
                ratio(c, now)
                for c in Customer.objects.exclude(pk__in=picked)
                if (now - c.last_contact_at).days >= 7
            ]
            lowest_picked = min(ratio(a.customer, now) for a in todays)
            assert lowest_picked >= max(waiting)
        for action in todays:
            outcomes.all_fine(action, now, owner)
