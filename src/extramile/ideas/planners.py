"""What the week puts on Today: the intention (first working day), its review (the week's end) and
the surprise chosen by ``week.prepare_surprises``.

Each planner reads a handful of rows per user (never the customer book) and yields actions with
stable keys, so re-planning any day of the week changes nothing a rep has done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import QuerySet

from extramile.accounts.models import User
from extramile.agenda.models import Priority
from extramile.agenda.registry import ActionSpec, planner
from extramile.book.expectations import held_back, hold_back_reason
from extramile.business_hours import BusinessHours
from extramile.ideas.habits import INTENTION, SURPRISE
from extramile.ideas.models import Surprise, WeeklyIntention
from extramile.ideas.week import (
    company_hours,
    intention_due,
    intention_key,
    review_key,
    week_start,
    working_days,
)

INTENTION_TITLE = "Your intention for this week"
REVIEW_TITLE = "Did you keep this week's intention?"


@planner("week")
def week(day: dt.date, now: dt.datetime, owners: QuerySet[User]) -> Iterator[ActionSpec]:
    """From the first working day of the week: ask for the week's intention (it shows until the
    week ends; nobody is asked for one after the last working day). From the last working day: ask
    whether it was kept (until the next week's first working day)."""
    hours = company_hours()
    start = week_start(day)
    days = working_days(hours, start)
    users = owners.filter(is_active=True)
    first = intention_due(hours, day)
    if first is not None:
        yield from _intentions(users, start, first)
    if days and day >= days[-1]:
        yield from _reviews(users, start, days[-1], _next_first(hours, start))
    # The next week's first working day still asks about the week before.
    previous = start - dt.timedelta(days=7)
    earlier = working_days(hours, previous)
    if earlier and (not days or day <= days[0]):
        yield from _reviews(users, previous, earlier[-1], _next_first(hours, previous))


def _next_first(hours: BusinessHours, start: dt.date) -> dt.date:
    """The first working day after the week starting ``start``."""
    return hours.next_working_day(start + dt.timedelta(days=7))


def _intentions(users: QuerySet[User], start: dt.date, first: dt.date) -> Iterator[ActionSpec]:
    have = WeeklyIntention.objects.filter(week_start=start).values("user_id")
    for pk in users.exclude(pk__in=have).values_list("pk", flat=True):
        yield ActionSpec(
            key=intention_key(pk, start),
            kind=INTENTION.kind,
            owner_id=pk,
            title=INTENTION_TITLE,
            detail="One sentence: what will you do this week to go the extra mile?",
            due_on=first,
            expires_on=start + dt.timedelta(days=6),
            priority=Priority.NORMAL,
        )


def _reviews(
    users: QuerySet[User], start: dt.date, last: dt.date, until: dt.date
) -> Iterator[ActionSpec]:
    rows = WeeklyIntention.objects.filter(
        week_start=start, user__in=users, kept__isnull=True
    ).values_list("user_id", "text")
    for pk, text in rows:
        yield ActionSpec(
            key=review_key(pk, start),
            kind=INTENTION.kind,
            owner_id=pk,
            title=REVIEW_TITLE,
            detail=f"Your intention for the week of {start:%d %b}: “{text}”",
            due_on=last,
            expires_on=until,
            priority=Priority.NORMAL,
        )


@planner("surprises")
def surprises(day: dt.date, now: dt.datetime, owners: QuerySet[User]) -> Iterator[ActionSpec]:
    """The week's surprise on Today, with its reason and idea. A customer who has since got an
    overdue promise keeps the row, which then says why it waits."""
    start = week_start(day)
    rows = list(
        Surprise.objects.filter(week_start=start, user__in=owners)
        .select_related("customer", "coworker", "idea")
        .order_by("user_id")
    )
    customer_ids = [s.customer_id for s in rows if s.customer_id is not None]
    waiting = set(
        held_back(day).filter(customer_id__in=customer_ids).values_list("customer_id", flat=True)
    )
    for surprise in rows:
        parts = [surprise.reason_text]
        if surprise.idea is not None:
            parts.append(f"Idea: {surprise.idea.text}")
        if surprise.customer is not None and surprise.customer_id in waiting:
            parts.insert(0, hold_back_reason(surprise.customer, day))
        yield ActionSpec(
            key=surprise.action_key,
            kind=SURPRISE.kind,
            owner_id=surprise.user_id,
            customer_id=surprise.customer_id,
            household_id=surprise.customer.household_id if surprise.customer else None,
            title=f"This week's surprise: {surprise.name}",
            detail=" ".join(parts),
            due_on=surprise.proposed_on,
            expires_on=start + dt.timedelta(days=6),
            priority=Priority.NORMAL,
        )
