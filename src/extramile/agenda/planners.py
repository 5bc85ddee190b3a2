"""The agenda's own planner: promises, met first.

Each capability adds its planners in its own app: birthdays, anniversaries and holidays are cards
(``extramile.cards.agenda``), planned ahead of their mail-by date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import QuerySet

from extramile.accounts.models import User
from extramile.agenda.habits import Habit, Key
from extramile.agenda.models import Priority
from extramile.agenda.registry import ActionSpec, planner
from extramile.book.models import Promise, display_name

PROMISE = Habit(
    kind="promise",
    label="Meet a promise",
    priority=Priority.PROMISE,  # overdue; one not yet due shows as ``Priority.HIGH``
    key=Key("promise"),  # promise:<promise>
    in_calendar=False,  # the feed shows the promise's due day itself
)
# The first version's key-date reach-outs (cards replaced them); their history is kept.
REACH_OUT = Habit(kind="reach_out", label="Reach out", priority=Priority.NORMAL, key=Key("keydate"))
HABITS = (PROMISE, REACH_OUT)

# A promise shows on Today this many days before it is due.
PROMISE_LEAD = dt.timedelta(days=2)

NAME_FIELDS = ("first_name", "last_name", "company_name")


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
        when = f"{due_on:%a} {due_on.day} {due_on:%b}"
        state = f"overdue since {when}" if overdue else f"due {when}"
        yield ActionSpec(
            key=PROMISE.key.build(pid),
            kind=PROMISE.kind,
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
