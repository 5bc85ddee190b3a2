"""The rotation: five proactive calls a day per rep, to the customers most overdue for one.

How overdue a customer is: days since the last real contact (never contacted: since they became a
customer, else since they were entered) divided by their tier's cadence. A ratio of 1 means due
today; 1.5 means half a cadence late. Each working day every rep gets ``company.calls_per_day``
call actions, most overdue first, filled with not-yet-due customers down to ``EARLIEST`` of their
cadence (calling a little early keeps the habit daily and evens out the load; calling a tier C
customer every week because the book is small would not).

Never called: former customers and prospects (service calls are for customers), do-not-call,
anyone without a phone number, anyone with an open service request (the request is the contact),
anyone contacted in the last ``QUIET`` days, anyone given a call action in the last ``QUIET`` days
(or with one still ahead, such as a retry after no answer). See docs/calls.md.

One query ranks the whole book with ``ROW_NUMBER() OVER (PARTITION BY owner ORDER BY ratio DESC)``;
re-planning a day counts the rep's call actions due that day (any status, retries included) and
only tops them up.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import Window
from django.db.models.functions import Coalesce, RowNumber

from extramile import business_hours
from extramile.accounts.models import Company, User
from extramile.agenda.models import Action, Priority
from extramile.agenda.registry import ActionSpec, planner
from extramile.agenda.services import PENDING
from extramile.book.models import Customer, Fact, PhoneNumber, Status, display_name
from extramile.outreach.habits import CALL
from extramile.service.models import OPEN_STATUSES, ServiceRequest

# No customer is called twice within this many days, nor right after another contact.
QUIET = dt.timedelta(days=7)
# The rotation fills the day with customers at least this far through their cadence.
EARLIEST = 0.5
# Pinned facts shown on the call: how many, and how long each may be.
FACTS = 3
FACT_LENGTH = 80


class DaysSince(Func):
    """Days (a float) from a date or datetime column to a fixed instant.

    SQLite stores both as ISO text, which ``julianday`` reads; PostgreSQL subtracts timestamps.
    """

    output_field = FloatField()
    arity = 2

    def __init__(self, column: Any, moment: dt.datetime) -> None:
        from django.db.models import DateTimeField

        super().__init__(column, Value(moment, output_field=DateTimeField()))

    def _parts(self, compiler: Any, connection: Any) -> tuple[str, str, list[Any]]:
        column, moment = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        moment_sql, moment_params = compiler.compile(moment)
        return column_sql, moment_sql, [*moment_params, *column_params]

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        column, moment, params = self._parts(compiler, connection)
        return f"(julianday({moment}) - julianday({column}))", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        column, moment, params = self._parts(compiler, connection)
        return (
            f"(EXTRACT(EPOCH FROM ({moment}::timestamptz - {column}::timestamptz)) / 86400.0)",
            params,
        )


def cadence(company: Company) -> Case:
    """The tier's cadence in days, as a column."""
    return Case(
        When(tier="A", then=Value(company.cadence_days("A"))),
        When(tier="B", then=Value(company.cadence_days("B"))),
        default=Value(company.cadence_days("C")),
    )


# Where a customer's call clock starts, first found first: the last real contact, else the day
# they became a customer, else the day they were entered. The rotation (SQL, ``overdue_ratio``)
# and the customer page (``call_due``) read this one list.
CLOCK_STARTS = ("last_contact_at", "customer_since", "created_at")


def overdue_ratio(company: Company, now: dt.datetime) -> Any:
    """Days since the clock's start (``CLOCK_STARTS``) over the cadence."""
    days = Coalesce(*(DaysSince(F(field), now) for field in CLOCK_STARTS))
    return days * Value(1.0) / cadence(company)


@dataclass(frozen=True)
class CallDue:
    cadence_days: int
    due_on: dt.date
    overdue: bool
    planned_on: dt.date | None


def call_due(customer: Customer, company: Company, now: dt.datetime) -> CallDue:
    """When ``customer`` is next due a proactive call: the clock's start (``CLOCK_STARTS``, as a
    day in the owner's zone) plus the tier's cadence; and the call already planned, if any."""
    cadence_days = company.cadence_days(customer.tier)
    zone = customer.owner.zone(company)
    start: dt.date | dt.datetime = next(
        value for field in CLOCK_STARTS if (value := getattr(customer, field)) is not None
    )
    if isinstance(start, dt.datetime):
        start = start.astimezone(zone).date()
    due_on = start + dt.timedelta(days=cadence_days)
    planned = (
        Action.objects.filter(customer=customer, kind=CALL.kind, status__in=PENDING)
        .order_by("due_on")
        .values_list("due_on", flat=True)
        .first()
    )
    return CallDue(cadence_days, due_on, due_on <= now.astimezone(zone).date(), planned)


def callable_customers(day: dt.date, now: dt.datetime) -> QuerySet[Customer]:
    """Customers the rotation may call on ``day``: the rules in the module's docstring."""
    recent_call = Action.objects.filter(
        customer=OuterRef("pk"), kind=CALL.kind, due_on__gt=day - QUIET
    )
    people = (
        Customer.objects.filter(status=Status.CUSTOMER, do_not_call=False)
        .filter(Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=now - QUIET))
        .filter(Exists(PhoneNumber.objects.filter(customer=OuterRef("pk"))))
        .exclude(Exists(recent_call))
    )
    open_request = ServiceRequest.objects.filter(customer=OuterRef("pk"), status__in=OPEN_STATUSES)
    return people.exclude(Exists(open_request))


def calls_planned(day: dt.date, owner_ids: list[int]) -> dict[int, int]:
    """How many call actions each owner already has due on ``day``, whatever their status."""
    rows = (
        Action.objects.filter(kind=CALL.kind, due_on=day, owner_id__in=owner_ids)
        .values("owner_id")
        .annotate(count=Count("id"))
        .order_by()
    )
    return {row["owner_id"]: row["count"] for row in rows}


@dataclass(frozen=True)
class Pick:
    customer_id: int
    owner_id: int
    household_id: int | None
    name: str
    tier: str
    ratio: float
    last_contact_at: dt.datetime | None
    customer_since: dt.date | None


def ranked(
    day: dt.date, now: dt.datetime, owner_ids: list[int], per_owner: int, company: Company
) -> Iterator[Pick]:
    """Up to ``per_owner`` callable customers per owner, most overdue first (one query)."""
    if not owner_ids or per_owner <= 0:
        return
    rows = (
        callable_customers(day, now)
        .filter(owner_id__in=owner_ids)
        .annotate(ratio=overdue_ratio(company, now))
        .filter(ratio__gte=EARLIEST)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("owner_id")],
                order_by=[F("ratio").desc(), F("id").asc()],
            )
        )
        .filter(rank__lte=per_owner)
        .order_by()
        .values_list(
            "id",
            "owner_id",
            "household_id",
            "first_name",
            "last_name",
            "company_name",
            "tier",
            "ratio",
            "last_contact_at",
            "customer_since",
            "rank",
        )
    )
    for cid, oid, hid, first, last, firm, tier, ratio, last_at, since, _rank in sorted(
        rows, key=lambda row: (row[1], row[-1])
    ):
        yield Pick(cid, oid, hid, display_name(first, last, firm), tier, ratio, last_at, since)


def pinned_facts(customer_ids: list[int]) -> dict[int, list[str]]:
    facts: dict[int, list[str]] = defaultdict(list)
    rows = (
        Fact.objects.filter(customer_id__in=customer_ids, pinned=True)
        .order_by("customer_id", "-learned_on", "-id")
        .values_list("customer_id", "text")
    )
    for cid, text in rows:
        if len(facts[cid]) < FACTS:
            text = " ".join(text.split())
            facts[cid].append(text if len(text) <= FACT_LENGTH else text[: FACT_LENGTH - 1] + "…")
    return facts


def why_now(pick: Pick, day: dt.date, company: Company, hours: business_hours.BusinessHours) -> str:
    """“Tier A, last spoke 47 days ago (every 30 days).” or “Tier C, never contacted …”."""
    every = f"every {company.cadence_days(pick.tier)} days"
    if pick.last_contact_at is not None:
        days = (day - hours.local_date(pick.last_contact_at)).days
        return f"Tier {pick.tier}, last spoke {days} days ago ({every})."
    if pick.customer_since is not None:
        return (
            f"Tier {pick.tier}, never contacted; a customer since "
            f"{pick.customer_since:%b %Y} ({every})."
        )
    return f"Tier {pick.tier}, never contacted ({every})."


def call_key(customer_id: int, day: dt.date) -> str:
    return CALL.key.build(customer_id, day)


def describe(why: str, facts: list[str]) -> str:
    return why + (" Remember: " + "; ".join(facts) + "." if facts else "")


@planner("calls")
def rotation(day: dt.date, now: dt.datetime, owners: QuerySet[User]) -> Iterator[ActionSpec]:
    """Each working day, top every owner's calls for ``day`` up to the company's number."""
    company = Company.get()
    per_day = company.calls_per_day
    if per_day == 0:
        return
    reps = list(owners.filter(is_active=True))
    hours = {rep.pk: business_hours.for_user(rep, company) for rep in reps}
    working = [rep.pk for rep in reps if hours[rep.pk].is_working_day(day)]
    planned = calls_planned(day, working)
    need = {pk: per_day - planned.get(pk, 0) for pk in working}
    need = {pk: n for pk, n in need.items() if n > 0}
    if not need:
        return
    picks = []
    for pick in ranked(day, now, sorted(need), max(need.values()), company):
        if need[pick.owner_id] > 0:  # a rep with a retry due today needs fewer new calls
            need[pick.owner_id] -= 1
            picks.append(pick)
    facts = pinned_facts([pick.customer_id for pick in picks])
    for pick in picks:
        yield ActionSpec(
            key=call_key(pick.customer_id, day),
            kind=CALL.kind,
            owner_id=pick.owner_id,
            customer_id=pick.customer_id,
            household_id=pick.household_id,
            title=f"Call {pick.name}",
            detail=describe(
                why_now(pick, day, company, hours[pick.owner_id]), facts[pick.customer_id]
            ),
            due_on=day,
            expires_on=day,
            priority=Priority.CALL,
        )
