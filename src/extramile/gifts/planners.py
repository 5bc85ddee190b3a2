"""Milestone gifts: the 5th, 10th and 20th anniversary of a customer's first purchase.

The gift shows on Today a week before the day (time to choose and send something personal) and
stays until a week after it. Set-based: the candidates are the sales dated a milestone ago (give or
take the week, read first through the sale-date index) that have no earlier sale of the same customer. A first
purchase on 29 February is remembered on 28 February in common years, like every yearly date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Exists, OuterRef, Q, QuerySet

from extramile.accounts.models import User
from extramile.agenda.registry import ActionSpec, planner
from extramile.book.dates import occurs_on
from extramile.book.expectations import held_back
from extramile.book.models import Sale, display_name
from extramile.gifts.habits import GIFT

MILESTONES = (5, 10, 20)  # years since the first purchase
LEAD = dt.timedelta(days=7)  # shown this long before the anniversary
GRACE = dt.timedelta(days=7)  # and kept this long after it


def anniversary(first: dt.date, years: int) -> dt.date:
    """The day ``years`` after ``first`` is celebrated (29 February → 28 February if need be)."""
    return occurs_on(first.month, first.day, first.year + years)


def years_ago(day: dt.date, years: int) -> dt.date:
    return occurs_on(day.month, day.day, day.year - years)


@planner("milestone_gifts")
def milestone_gifts(day: dt.date, now: dt.datetime, owners: QuerySet[User]) -> Iterator[ActionSpec]:
    """A gift for every customer whose first purchase turns 5, 10 or 20 years old between a week
    ago and a week ahead, unless the customer is waiting for an overdue promise."""
    ranges = Q()
    for years in MILESTONES:
        # One day wider on each side: 28 February also stands for 29 February.
        first = years_ago(day - GRACE, years) - dt.timedelta(days=1)
        last = years_ago(day + LEAD, years) + dt.timedelta(days=1)
        ranges |= Q(date__range=(first, last))
    earlier = Sale.objects.filter(customer_id=OuterRef("customer_id"), date__lt=OuterRef("date"))
    # The sales in the ranges are read first, through the sale-date index (a few thousand at
    # 1,000,000 customers), and passed as a list: joined with the owners' customers in one
    # statement, SQLite read every customer of the active reps first (1 s at 1,000,000).
    candidates = list(Sale.objects.filter(ranges).values_list("pk", flat=True))
    rows = (
        Sale.objects.filter(pk__in=candidates, customer__owner__in=owners)
        .exclude(Exists(earlier))
        .exclude(customer_id__in=held_back(day))
        .values_list(
            "customer_id",
            "date",
            "description",
            "customer__owner_id",
            "customer__household_id",
            "customer__first_name",
            "customer__last_name",
            "customer__company_name",
        )
        .order_by("customer_id", "date", "id")
    )
    seen: set[int] = set()
    for cid, first, what, owner_id, household_id, given, family, company in rows.iterator(2000):
        if cid in seen:  # two sales on the first day: one gift
            continue
        seen.add(cid)
        for years in MILESTONES:
            on = anniversary(first, years)
            if not day - GRACE <= on <= day + LEAD:
                continue
            name = display_name(given, family, company)
            yield ActionSpec(
                key=GIFT.key.build(cid, years),
                kind=GIFT.kind,
                owner_id=owner_id,
                customer_id=cid,
                household_id=household_id,
                title=f"A gift for {name}: {years} years since their first purchase",
                detail=(
                    f"{on:%a %d %b %Y} is {years} years since {name} first bought from us "
                    f"({what}, {first:%d %b %Y}). Choose something personal, not a catalogue "
                    "item, and send it to arrive on the day."
                ),
                due_on=max(on - LEAD, day),
                expires_on=on + GRACE,
                priority=GIFT.priority,
            )
