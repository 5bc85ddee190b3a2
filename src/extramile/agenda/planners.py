"""The built-in planners: key dates (birthdays and the rest) and promises.

Later capabilities (cards, calls, articles, …) add their own planners in their apps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Q, QuerySet

from extramile.accounts.models import User
from extramile.agenda.models import ActionKind, Priority
from extramile.agenda.registry import ActionSpec, planner
from extramile.book.dates import month_days_on
from extramile.book.models import Customer, KeyDate, KeyDateKind, Promise, display_name

# A reach-out for a key date stays on Today for a week if it is not done on the day.
KEYDATE_GRACE = dt.timedelta(days=7)
# A promise shows on Today this many days before it is due.
PROMISE_LEAD = dt.timedelta(days=2)

NAME_FIELDS = ("first_name", "last_name", "company_name")


def reachable(prefix: str = "") -> Q:
    """Customers that may be contacted at all (not do-not-contact on every channel)."""
    return ~Q(
        **{
            f"{prefix}do_not_call": True,
            f"{prefix}do_not_email": True,
            f"{prefix}do_not_mail": True,
            f"{prefix}do_not_text": True,
        }
    )


def on_day(day: dt.date, month_field: str, day_field: str) -> Q:
    condition = Q(pk__in=[])
    for month, mday in month_days_on(day):
        condition |= Q(**{month_field: month, day_field: mday})
    return condition


def ordinal_years(count: int) -> str:
    return f"{count} year" if count == 1 else f"{count} years"


@planner("birthdays")
def birthdays(day: dt.date, now: dt.datetime, owners: QuerySet[User]) -> Iterator[ActionSpec]:
    rows = (
        Customer.objects.filter(on_day(day, "birth_month", "birth_day"), owner__in=owners)
        .filter(reachable())
        .exclude(status="former")
        .values_list("id", "owner_id", "household_id", "birth_year", "birth_day", *NAME_FIELDS)
    )
    for cid, owner_id, household_id, year, bday, first, last, company in rows.iterator(2000):
        name = display_name(first, last, company)
        age = f" (turns {day.year - year})" if year else ""
        note = " (born on 29 February)" if bday == 29 and day.day == 28 else ""
        yield ActionSpec(
            key=f"keydate:birthday:{cid}:{day.year}",
            kind=ActionKind.REACH_OUT,
            owner_id=owner_id,
            customer_id=cid,
            household_id=household_id,
            title=f"Birthday: {name}{age}",
            detail=f"Reach out on their birthday{note}: a call, a text or a note.",
            due_on=day,
            expires_on=day + KEYDATE_GRACE,
            priority=Priority.HIGH,
        )


@planner("key-dates")
def key_dates(day: dt.date, now: dt.datetime, owners: QuerySet[User]) -> Iterator[ActionSpec]:
    rows = (
        KeyDate.objects.filter(on_day(day, "month", "day"), customer__owner__in=owners)
        .filter(reachable("customer__"))
        .exclude(customer__status="former")
        .values_list(
            "id",
            "kind",
            "label",
            "year",
            "customer_id",
            "customer__owner_id",
            "customer__household_id",
            *(f"customer__{f}" for f in NAME_FIELDS),
        )
    )
    labels = dict(KeyDateKind.choices)
    for kid, kind, label, year, cid, owner_id, household_id, first, last, company in rows.iterator(
        2000
    ):
        name = display_name(first, last, company)
        what = label if kind == KeyDateKind.CUSTOM and label else labels[kind]
        years = f" ({ordinal_years(day.year - year)})" if year and day.year > year else ""
        yield ActionSpec(
            key=f"keydate:{kind}:{kid}:{day.year}",
            kind=ActionKind.REACH_OUT,
            owner_id=owner_id,
            customer_id=cid,
            household_id=household_id,
            title=f"{what}: {name}{years}",
            detail="Reach out today: it is a date that matters to them.",
            due_on=day,
            expires_on=day + KEYDATE_GRACE,
            priority=Priority.NORMAL,
        )


@planner("promises")
def promises(day: dt.date, now: dt.datetime, owners: QuerySet[User]) -> Iterator[ActionSpec]:
    """Every unmet promise due within two days, and every overdue one, first on Today."""
    rows = Promise.objects.filter(
        met_at__isnull=True, due_on__lte=day + PROMISE_LEAD, customer__owner__in=owners
    ).values_list(
        "id",
        "description",
        "due_on",
        "kind",
        "customer_id",
        "customer__owner_id",
        "customer__household_id",
        *(f"customer__{f}" for f in NAME_FIELDS),
    )
    for pid, text, due_on, kind, cid, owner_id, household_id, first, last, company in rows.iterator(
        2000
    ):
        name = display_name(first, last, company)
        overdue = due_on < day
        state = f"overdue since {due_on:%d %b}" if overdue else f"due {due_on:%d %b}"
        yield ActionSpec(
            key=f"promise:{pid}",
            kind=ActionKind.PROMISE,
            owner_id=owner_id,
            customer_id=cid,
            household_id=household_id,
            title=(
                f"Meet {name}'s expectation: {text}"
                if kind == "expectation"
                else f"Keep the promise to {name}: {text}"
            ),
            detail=f"{state[0].upper()}{state[1:]}. Meet it before anything extra for this customer.",
            due_on=min(due_on, max(due_on - PROMISE_LEAD, day)),
            priority=Priority.PROMISE if overdue else Priority.HIGH,
        )
