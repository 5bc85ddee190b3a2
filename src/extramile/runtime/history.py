"""A year of demo history from a stated model: ``make_history(now, rng)``.

The demo's question is the product's: does the extra mile pay? Insights answers it by comparing
customers who got regular extra-mile actions in the last 12 months with the rest (see
docs/insights.md). This module writes the twelve months that comparison reads, drawn from a
small model with a seeded random generator, so the answer is an outcome of the model and not a
figure typed in:

1. **Who gets regular touches.** Each customer (status customer) is *looked after regularly* with
   probability ``P_REGULAR``, a former customer with ``P_REGULAR_FORMER``.
2. **How many touches.** Over the 52 weeks before ``now`` a regular customer gets a Poisson number
   of proactive calls with mean ``TOUCHES_REGULAR``, everyone else with mean ``TOUCHES_OTHER``.
   Each touch is a real record at a random moment in business hours of a weekday: a done
   ``Action`` (kind call), its ``outreach.Call`` (all fine) and the ``book.Contact`` of the talk,
   so History, "last contact" and the calls figures all tell the same story.
3. **What comes of it.** Each touch raises the chance of a referral and of a purchase in the same
   12 months: ``P(refer) = 1 − (1 − REFER_BASE)(1 − REFER_PER_TOUCH)^touches`` and
   ``P(buy again) = 1 − (1 − BUY_BASE)(1 − BUY_PER_TOUCH)^touches``. A referral points at a
   prospect of the same rep (reward pending) or at a customer the rep won in the last year (dated
   three weeks before they became a customer); a purchase is a sale dated after the customer
   became one.

With the defaults a customer with 8 touches refers someone with a probability of about 21%
against about 3% with none, and buys again with about 35% against 10%. The Insights page then
shows what the random draw gave, with its counts. Same seed, same ``now``: same history.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Model, OuterRef, Subquery

from extramile.agenda.models import Action, ActionStatus, Priority
from extramile.book.models import (
    Contact,
    ContactChannel,
    Customer,
    Referral,
    RewardStatus,
    Sale,
    Status,
)
from extramile.outreach.habits import CALL
from extramile.outreach.models import Call, CallOutcome

P_REGULAR = 0.35
P_REGULAR_FORMER = 0.05
TOUCHES_REGULAR = 8.0
TOUCHES_OTHER = 0.7
REFER_BASE = 0.03
REFER_PER_TOUCH = 0.025
BUY_BASE = 0.10
BUY_PER_TOUCH = 0.04
YEAR = dt.timedelta(days=365)
BATCH = 5000
KEY = "history:"  # the history's actions: history:<customer>:<n>

NOTES = [
    "All well; asked about the family",
    "Happy with the car; reminded them of the winter check",
    "Caught up; they mentioned a friend looking for a car",
    "All fine; booked the next service",
    "Quick chat; thanked them for their loyalty",
]
PURCHASES = [
    ("Winter tyre set", 700, 1400),
    ("Service plan, 3 years", 600, 1500),
    ("Extended warranty", 900, 2500),
    ("Roof rack and bike carrier", 300, 900),
    ("Certified pre-owned car", 14000, 26000),
    ("New sedan", 24000, 38000),
]


@dataclass
class History:
    regular: int = 0
    touches: int = 0
    referrals: int = 0
    sales: int = 0


def poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: fine for the small means used here."""
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def chance(base: float, per_touch: float, touches: int) -> float:
    return 1 - (1 - base) * (1 - per_touch) ** touches


def business_moment(
    rng: random.Random, first: dt.date, last: dt.date, zone: dt.tzinfo
) -> dt.datetime:
    """A random weekday moment between 09:00 and 17:00 local, from ``first`` to ``last``."""
    span = max(0, (last - first).days)
    day = first + dt.timedelta(days=rng.randint(0, span))
    while day.weekday() >= 5 and day > first:
        day -= dt.timedelta(days=1)
    local = dt.datetime.combine(day, dt.time(9), zone) + dt.timedelta(minutes=rng.randrange(8 * 60))
    return local.astimezone(dt.UTC)


def make_history(now: dt.datetime, rng: random.Random, zone: dt.tzinfo) -> History:
    """Write the year before ``now`` (see the module's model); return what was drawn."""
    today = now.astimezone(zone).date()
    start = today - YEAR
    result = History()
    people = list(
        Customer.objects.filter(status__in=[Status.CUSTOMER, Status.FORMER])
        .order_by("pk")
        .values_list("pk", "owner_id", "status", "customer_since", "first_name", "last_name")
    )
    # Who may be referred: a rep's prospects, and customers won in the last year.
    referable: dict[int, list[tuple[int, dt.date | None]]] = {}
    for pk, owner_id, since in (
        Customer.objects.filter(status=Status.PROSPECT)
        .order_by("pk")
        .values_list("pk", "owner_id", "customer_since")
    ):
        referable.setdefault(owner_id, []).append((pk, since))
    for pk, owner_id, _status, since, _f, _l in people:
        if since is not None and since > start + dt.timedelta(days=30):
            referable.setdefault(owner_id, []).append((pk, since))
    for pool in referable.values():
        rng.shuffle(pool)
    taken = set(Referral.objects.values_list("referred_id", flat=True))

    actions: list[dict[str, Any]] = []
    touches: list[tuple[int, int, dt.datetime]] = []  # customer, owner, moment
    referrals: list[Referral] = []
    sales: list[Sale] = []
    for pk, owner_id, status, since, first, last in people:
        regular = rng.random() < (P_REGULAR if status == Status.CUSTOMER else P_REGULAR_FORMER)
        result.regular += regular
        count = poisson(rng, TOUCHES_REGULAR if regular else TOUCHES_OTHER)
        begin = max(start, since or start)
        name = f"{first} {last}".strip()
        for n in range(count):
            at = business_moment(rng, begin, today - dt.timedelta(days=1), zone)
            actions.append(
                {
                    "key": f"{KEY}{pk}:{n}",
                    "kind": CALL.kind,
                    "owner_id": owner_id,
                    "customer_id": pk,
                    "title": f"Call {name}"[:200],
                    "detail": "A proactive call (demo history).",
                    "due_on": at.astimezone(zone).date(),
                    "priority": Priority.CALL.value,
                    "status": ActionStatus.DONE.value,
                    "completed_at": at,
                    "created_at": at,
                    "updated_at": at,
                }
            )
            touches.append((pk, owner_id, at))
        if rng.random() < chance(REFER_BASE, REFER_PER_TOUCH, count):
            referral = _referral(rng, pk, owner_id, referable, taken, begin, today)
            if referral is not None:
                referrals.append(referral)
        if rng.random() < chance(BUY_BASE, BUY_PER_TOUCH, count):
            product, low, high = rng.choice(PURCHASES)
            sales.append(
                Sale(
                    customer_id=pk,
                    sold_by_id=owner_id,
                    date=business_moment(rng, begin, today - dt.timedelta(days=1), zone)
                    .astimezone(zone)
                    .date(),
                    description=product,
                    amount=Decimal(rng.randint(low, high)),
                )
            )
    insert(Action, actions)
    ids = dict(Action.objects.filter(key__startswith=KEY).values_list("key", "pk").iterator(BATCH))
    _calls([ids[row["key"]] for row in actions], touches, rng)
    Referral.objects.bulk_create(referrals, batch_size=BATCH, ignore_conflicts=True)
    Sale.objects.bulk_create(sales, batch_size=BATCH)
    result.touches, result.referrals, result.sales = len(actions), len(referrals), len(sales)
    return result


def _referral(
    rng: random.Random,
    referrer: int,
    owner_id: int,
    referable: dict[int, list[tuple[int, dt.date | None]]],
    taken: set[int],
    begin: dt.date,
    today: dt.date,
) -> Referral | None:
    pool = referable.get(owner_id, [])
    while pool:
        referred, since = pool.pop()
        if referred == referrer or referred in taken:
            continue
        taken.add(referred)
        if since is None:  # a prospect: referred some time this year, no sale yet
            span = max(1, (today - begin).days)
            date = begin + dt.timedelta(days=rng.randrange(span))
        else:  # a customer won this year: referred three weeks before
            date = max(begin, since - dt.timedelta(days=21))
        reward = Decimal(rng.choice([0, 0, 100, 150]))
        return Referral(
            referrer_id=referrer,
            referred_id=referred,
            date=min(date, today - dt.timedelta(days=1)),
            reward_amount=reward or None,
            reward_status=RewardStatus.PENDING if reward else RewardStatus.NONE,
        )
    return None


def _calls(
    action_ids: list[int], touches: list[tuple[int, int, dt.datetime]], rng: random.Random
) -> None:

    calls, contacts = [], []
    for action_id, (customer, owner, at) in zip(action_ids, touches, strict=True):
        note = rng.choice(NOTES)
        calls.append(
            {
                "action_id": action_id,
                "customer_id": customer,
                "user_id": owner,
                "at": at,
                "outcome": CallOutcome.ALL_FINE.value,
                "note": note,
            }
        )
        contacts.append(
            {
                "customer_id": customer,
                "user_id": owner,
                "at": at,
                "channel": ContactChannel.CALL.value,
                "summary": note,
            }
        )
    insert(Call, calls)
    insert(Contact, contacts)


def insert(model: type[Model], rows: list[dict[str, Any]]) -> None:
    """Plain ``INSERT``s of ``rows`` (field attname → value; other fields get their default):
    thousands of rows without building a model instance each, which is most of ``bulk_create``'s
    time at this size."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    given = set(rows[0])
    defaults = {f.attname: f.get_default() for f in fields if f.attname not in given}
    ops = connection.ops

    def adapt(value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return ops.adapt_datetimefield_value(value)
        if isinstance(value, dt.date):
            return ops.adapt_datefield_value(value)
        return value

    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608  (names from the model)
    names = [f.attname for f in fields]
    values = [
        [adapt(row[name]) if name in row else defaults[name] for name in names] for row in rows
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(values), BATCH):
            cursor.executemany(sql, values[start : start + BATCH])


def sync_last_contacts() -> int:
    """Every customer's ``last_contact_at`` is their newest ``Contact`` (the demo writes contacts
    from several modules; the page's "last contact" and History must agree)."""
    newest = Contact.objects.filter(customer=OuterRef("pk")).order_by("-at").values("at")[:1]
    return Customer.objects.update(last_contact_at=Subquery(newest))
