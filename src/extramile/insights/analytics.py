"""“Does the extra mile pay?”: the figures behind /insights/.

Every figure is computed over a customer queryset the caller has already scoped
(``accounts.scoping.visible_customers(user)``), with aggregate queries — Count/Sum with
``filter=``, ``Exists`` subqueries — so the database does the counting and no Python loop runs
over the book. ``page_figures(user, now)`` computes everything the page shows (the bench times it
without HTTP); the page itself is one call to it.

Definitions (docs/insights.md says why):

- the book: visible customers who are customers or former customers (prospects have not bought);
- repeat-purchase rate: customers with 2+ sales among those with 1+ (all time);
- retention: of the customers who bought before the last 12 months, the share who bought again
  within them;
- families: a family is counted at its eldest member in the book (someone with no parent in the
  book) by household (or alone, without one); it spans two generations when that person has a
  child in the book, three when also a grandchild (four or more count as three);
- the comparison (``cohorts``): customers with at least ``n`` actions done in the last 12 months
  against the rest, for the share who referred someone in those 12 months and the repeat-purchase
  rate; below ``MIN_GROUP`` customers a rate says "not enough data".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models import Value as V
from django.db.models.functions import Coalesce, TruncMonth

from extramile.accounts.models import User
from extramile.accounts.scoping import visible_customers
from extramile.agenda.models import Action, ActionStatus
from extramile.book.models import (
    Customer,
    Referral,
    Relationship,
    RelationshipKind,
    RewardStatus,
    Sale,
    Status,
)
from extramile.inbox.figures import ReplyFigures, judged_rows, summarise
from extramile.inbox.queries import visible_messages

MONTHS = 24  # referrals over time
RESPONSE_MONTHS = 12
WINDOW = dt.timedelta(days=365)  # "the last 12 months"
DEFAULT_N = 3
MAX_N = 100
MIN_GROUP = 20  # fewer customers than this in a group: "not enough data"


@dataclass(frozen=True)
class Rate:
    """``hits`` of ``of``, always shown with the count behind it."""

    hits: int
    of: int

    @property
    def enough(self) -> bool:
        return self.of >= MIN_GROUP

    @property
    def share(self) -> float | None:
        return self.hits / self.of if self.of else None

    @property
    def percent(self) -> str:
        return "–" if self.share is None else f"{self.share:.0%}"

    def __str__(self) -> str:
        if not self.enough:
            return f"not enough data ({self.of:,} customers)"
        return f"{self.percent} of {self.of:,}"


@dataclass(frozen=True)
class Group:
    label: str
    customers: int
    referral: Rate  # referred someone in the last 12 months, of the group
    repeat: Rate  # 2+ sales, of those in the group with 1+


@dataclass(frozen=True)
class Cohorts:
    n: int
    engaged: Group  # at least n extra-mile actions done in the last 12 months
    rest: Group

    @property
    def groups(self) -> list[Group]:
        return [self.engaged, self.rest]


def months_back(today: dt.date, count: int) -> list[dt.date]:
    """The first days of the last ``count`` months, oldest first, ending with today's month."""
    year, month = today.year, today.month
    firsts = []
    for _ in range(count):
        firsts.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return firsts[::-1]


def clean_n(raw: object) -> int:
    """The page parameter: a whole number from 1 to MAX_N, else the default."""
    try:
        value = int(str(raw))
    except ValueError:
        return DEFAULT_N
    return value if 1 <= value <= MAX_N else DEFAULT_N


def book(user: User) -> QuerySet[Customer]:
    return visible_customers(user).exclude(status=Status.PROSPECT)


def customer_counts(customers: QuerySet[Customer], now: dt.datetime, n: int) -> dict[str, int]:
    """One aggregate query over ``customers``: the repeat-purchase, retention and cohort counts."""
    since = now - WINDOW
    cutoff = since.date()
    sales = Sale.objects.filter(customer=OuterRef("pk")).order_by()
    engaged = (
        Action.objects.filter(
            status=ActionStatus.DONE,
            customer__isnull=False,
            completed_at__gte=since,
            completed_at__lte=now,
        )
        .order_by()
        .values("customer_id")
        .annotate(done=Count("id"))
        .filter(done__gte=n)
        .values("customer_id")
    )
    rows = customers.order_by().alias(
        has_sale=Exists(sales),
        # a second sale exists: LIMIT 1 OFFSET 1 on the (customer, date) index
        has_repeat=Exists(sales[1:2]),
        bought_before=Exists(sales.filter(date__lt=cutoff)),
        bought_recently=Exists(sales.filter(date__gte=cutoff, date__lte=now.date())),
        did_refer=Exists(
            Referral.objects.filter(referrer=OuterRef("pk"), date__gte=cutoff, date__lte=now.date())
        ),
    )
    e = Q(pk__in=engaged)
    counts: dict[str, int] = rows.aggregate(
        total=Count("pk"),
        buyers=Count("pk", filter=Q(has_sale=True)),
        repeaters=Count("pk", filter=Q(has_repeat=True)),
        before=Count("pk", filter=Q(bought_before=True)),
        retained=Count("pk", filter=Q(bought_before=True, bought_recently=True)),
        engaged=Count("pk", filter=e),
        engaged_referred=Count("pk", filter=e & Q(did_refer=True)),
        engaged_buyers=Count("pk", filter=e & Q(has_sale=True)),
        engaged_repeaters=Count("pk", filter=e & Q(has_repeat=True)),
        referred=Count("pk", filter=Q(did_refer=True)),
    )
    return counts


def _cohorts(counts: dict[str, int], n: int) -> Cohorts:
    rest = counts["total"] - counts["engaged"]
    return Cohorts(
        n=n,
        engaged=Group(
            f"{n}+ extra-mile actions",
            counts["engaged"],
            Rate(counts["engaged_referred"], counts["engaged"]),
            Rate(counts["engaged_repeaters"], counts["engaged_buyers"]),
        ),
        rest=Group(
            "the rest",
            rest,
            Rate(counts["referred"] - counts["engaged_referred"], rest),
            Rate(
                counts["repeaters"] - counts["engaged_repeaters"],
                counts["buyers"] - counts["engaged_buyers"],
            ),
        ),
    )


def cohorts(customers_qs: QuerySet[Customer], now: dt.datetime, n: int = DEFAULT_N) -> Cohorts:
    """Customers with at least ``n`` actions done (status done, with this customer, completed in
    the 12 months before ``now``) against the rest of ``customers_qs``: the share who referred
    someone in those 12 months, and the repeat-purchase rate — with the counts behind each."""
    return _cohorts(customer_counts(customers_qs, now, n), n)


def referrals_by_month(
    customers: QuerySet[Customer], today: dt.date, months: int = MONTHS
) -> list[tuple[dt.date, int]]:
    """Referrals made by ``customers`` per month (by the referral's date), gaps as zero."""
    firsts = months_back(today, months)
    rows = (
        Referral.objects.filter(referrer__in=customers, date__gte=firsts[0], date__lte=today)
        .order_by()
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(count=Count("id"))
    )
    found = {row["month"]: row["count"] for row in rows}
    return [(first, found.get(first, 0)) for first in firsts]


@dataclass(frozen=True)
class Rewards:
    pending: int
    owed: int
    owed_sum: Decimal
    paid: int
    paid_sum: Decimal


def rewards(customers: QuerySet[Customer]) -> Rewards:
    """Referral rewards owed and paid to ``customers`` (the referrers), counts and sums."""
    zero = V(Decimal("0"))
    row = (
        Referral.objects.filter(referrer__in=customers)
        .order_by()
        .aggregate(
            pending=Count("id", filter=Q(reward_status=RewardStatus.PENDING)),
            owed=Count("id", filter=Q(reward_status=RewardStatus.OWED)),
            owed_sum=Coalesce(
                Sum("reward_amount", filter=Q(reward_status=RewardStatus.OWED)), zero
            ),
            paid=Count("id", filter=Q(reward_status=RewardStatus.PAID)),
            paid_sum=Coalesce(
                Sum("reward_amount", filter=Q(reward_status=RewardStatus.PAID)), zero
            ),
        )
    )
    return Rewards(**row)


@dataclass(frozen=True)
class Families:
    two: int  # families spanning exactly two generations in the book
    three: int  # three or more


def families(customers: QuerySet[Customer]) -> Families:
    """Families across generations, over parent links between ``customers`` only.

    Counted at the eldest (no parent among ``customers``), one per household (a customer without
    a household is a family of their own), by the deepest chain below them: a child in the book
    makes two generations, a grandchild three. One query over the parent links with both ends in
    scope (links are few next to customers; the scope subquery is evaluated once, not per
    customer), then a walk over those pairs in memory.
    """
    scope = customers.order_by().values("pk")
    pairs = (
        Relationship.objects.filter(
            kind=RelationshipKind.PARENT, from_customer__in=scope, to_customer__in=scope
        )
        .order_by()
        .values_list("from_customer_id", "to_customer_id", "from_customer__household_id")
    )
    children: dict[int, set[int]] = {}
    household: dict[int, int] = {}
    has_parent: set[int] = set()
    for parent, child, home in pairs:
        children.setdefault(parent, set()).add(child)
        household[parent] = home if home is not None else -parent
        has_parent.add(child)
    deepest: dict[int, int] = {}
    for parent, kids in children.items():
        if parent in has_parent:
            continue
        depth = 3 if any(kid in children for kid in kids) else 2
        family = household[parent]
        deepest[family] = max(deepest.get(family, 0), depth)
    depths = list(deepest.values())
    return Families(two=depths.count(2), three=depths.count(3))


def response_times(
    user: User, now: dt.datetime, today: dt.date, months: int = RESPONSE_MONTHS
) -> list[tuple[dt.date, ReplyFigures]]:
    """Per month (by the day received, in the user's zone): the median response time and the
    share answered within the target, from ``inbox.figures`` over the messages the user sees."""
    firsts = months_back(today, months)
    zone = user.zone()
    start = dt.datetime.combine(firsts[0], dt.time(), tzinfo=zone)
    messages = visible_messages(user).filter(received_at__gte=start, received_at__lte=now)
    messages = messages.order_by().annotate(month=TruncMonth("received_at", tzinfo=zone))
    grouped: dict[dt.date, list[tuple[int | None, bool, bool]]] = defaultdict(list)
    for response, replied, late, month in judged_rows(messages, now, "month"):
        grouped[month.date() if isinstance(month, dt.datetime) else month].append(
            (response, replied, late)
        )
    return [(first, summarise(grouped.get(first, []))) for first in firsts]


def page_figures(user: User, now: dt.datetime, n: int = DEFAULT_N) -> dict[str, Any]:
    """Everything /insights/ shows for ``user`` (scoped), in six queries."""
    today = user.local_date(now)
    customers = book(user)
    counts = customer_counts(customers, now, n)
    return {
        "today": today,
        "n": n,
        "customers": counts["total"],
        "referrals": referrals_by_month(customers, today),
        "rewards": rewards(customers),
        "repeat": Rate(counts["repeaters"], counts["buyers"]),
        "retention": Rate(counts["retained"], counts["before"]),
        "families": families(customers),
        "responses": response_times(user, now, today),
        "cohorts": _cohorts(counts, n),
    }
