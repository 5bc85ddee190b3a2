"""“Does the extra mile pay?”: the figures behind /insights/.

Every figure is scoped to what the user sees (``accounts.scoping``) and counted by the database
with grouped queries, so no Python loop runs over the book. The customer counts (repeat purchase,
retention, the comparison) need every customer of the book: they are counted per owner once a
day and kept (``book_rollup``, the ``rollups`` app), so an admin's page over a million customers
sums 200 owners' rows; ``customer_counts`` counts any queryset now, by the same rule.
``page_figures(user, now)`` computes everything the page shows (the bench times it without HTTP);
the page itself is one call to it.

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
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models import Value as V
from django.db.models.functions import Coalesce, Least, TruncMonth

from extramile.accounts.models import User
from extramile.accounts.scoping import sees_everything
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
from extramile.inbox.figures import ReplyFigures, judged_groups, summarise
from extramile.inbox.models import InboundMessage
from extramile.rollups.store import read, read_scope, rollup

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


BOOK = [Status.CUSTOMER, Status.FORMER]


def book(user: User) -> QuerySet[Customer]:
    return Customer.objects.visible_to(user).filter(status__in=BOOK)


def by_owners(queryset: QuerySet[Any], user: User, field: str) -> QuerySet[Any]:
    """``queryset`` restricted to rows whose ``field`` (a customer's owner) is one of the owners
    ``user`` sees, as a short list of ids (a team is a dozen people): both engines then look the
    rows up by id instead of joining users and teams for every row."""
    if sees_everything(user):
        return queryset
    owners = list(User.objects.visible_to(user).values_list("pk", flat=True))
    return queryset.filter(**{f"{field}_id__in": owners})


def book_referrals(user: User) -> QuerySet[Referral]:
    """Referrals made by the customers ``user`` sees (a prospect who sends a friend counts too),
    filtered by owner ids: an admin's need no join with a million customers at all."""
    return by_owners(Referral.objects.all(), user, "referrer__owner")


def book_links(user: User) -> QuerySet[Relationship]:
    """Parent links with both ends in ``user``'s book."""
    links = Relationship.objects.filter(
        kind=RelationshipKind.PARENT,
        from_customer__status__in=BOOK,
        to_customer__status__in=BOOK,
    )
    return by_owners(by_owners(links, user, "from_customer__owner"), user, "to_customer__owner")


# Per customer, what the customer counts need; grouped, so a book is a few hundred rows.
FLAGS = ("done", "has_sale", "has_repeat", "bought_before", "bought_recently", "did_refer")


def customer_rows(
    customers: QuerySet[Customer], now: dt.datetime, *by: str
) -> list[tuple[Any, ...]]:
    """``(*by, done, has_sale, has_repeat, bought_before, bought_recently, did_refer, how many)``
    over ``customers``: ``done`` is the number of actions done with the customer in the 12 months
    before ``now`` (capped at MAX_N), the rest are yes/no. One grouped query; the correlated
    subqueries each read one index range per customer."""
    since = now - WINDOW
    cutoff = since.date()
    sales = Sale.objects.filter(customer=OuterRef("pk")).order_by()
    done = (
        Action.objects.filter(
            customer=OuterRef("pk"),
            status=ActionStatus.DONE,
            completed_at__gte=since,
            completed_at__lte=now,
        )
        .order_by()
        .values("customer_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    rows = (
        customers.order_by()
        .annotate(
            done=Least(Coalesce(Subquery(done), 0), V(MAX_N)),
            has_sale=Exists(sales),
            # a second sale exists: LIMIT 1 OFFSET 1 on the (customer, date) index
            has_repeat=Exists(sales[1:2]),
            bought_before=Exists(sales.filter(date__lt=cutoff)),
            bought_recently=Exists(sales.filter(date__gte=cutoff, date__lte=now.date())),
            did_refer=Exists(
                Referral.objects.filter(
                    referrer=OuterRef("pk"), date__gte=cutoff, date__lte=now.date()
                )
            ),
        )
        .values_list(*by, *FLAGS)
        .annotate(count=Count("pk"))
    )
    return [tuple(row) for row in rows]


def counts_from_rows(rows: list[tuple[Any, ...]], n: int) -> dict[str, int]:
    """The repeat-purchase, retention and cohort counts from ``customer_rows`` (without ``by``)."""
    counts = dict.fromkeys(
        [
            "total",
            "buyers",
            "repeaters",
            "before",
            "retained",
            "engaged",
            "engaged_referred",
            "engaged_buyers",
            "engaged_repeaters",
            "referred",
        ],
        0,
    )
    for done, has_sale, has_repeat, before, recently, referred, count in rows:
        engaged = done >= n
        for key, hit in (
            ("total", True),
            ("buyers", has_sale),
            ("repeaters", has_repeat),
            ("before", before),
            ("retained", before and recently),
            ("engaged", engaged),
            ("engaged_referred", engaged and referred),
            ("engaged_buyers", engaged and has_sale),
            ("engaged_repeaters", engaged and has_repeat),
            ("referred", referred),
        ):
            if hit:
                counts[key] += count
    return counts


def customer_counts(customers: QuerySet[Customer], now: dt.datetime, n: int) -> dict[str, int]:
    """The repeat-purchase, retention and cohort counts over ``customers``, counted now."""
    return counts_from_rows(customer_rows(customers, now), n)


@rollup("insights.book")
def book_rollup(owner_ids: list[int], now: dt.datetime) -> dict[int, Any]:
    """Per owner, their book's ``customer_rows`` (kept once a day: an admin's insights over a
    million customers read 200 owners' rows instead of counting the customers)."""
    customers = Customer.objects.filter(owner_id__in=owner_ids, status__in=BOOK)
    found: dict[int, list[list[Any]]] = defaultdict(list)
    for owner_id, *row in customer_rows(customers, now, "owner_id"):
        found[owner_id].append([int(value) for value in row])
    return dict(found)


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
    referrals: QuerySet[Referral], today: dt.date, months: int = MONTHS
) -> list[tuple[dt.date, int]]:
    """``referrals`` (``book_referrals(user)``) per month by their date, gaps as zero."""
    firsts = months_back(today, months)
    rows = (
        referrals.filter(date__gte=firsts[0], date__lte=today)
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


def rewards(referrals: QuerySet[Referral]) -> Rewards:
    """Rewards of ``referrals`` (``book_referrals(user)``) owed and paid, counts and sums."""
    zero = V(Decimal("0"))
    row = referrals.order_by().aggregate(
        pending=Count("id", filter=Q(reward_status=RewardStatus.PENDING)),
        owed=Count("id", filter=Q(reward_status=RewardStatus.OWED)),
        owed_sum=Coalesce(Sum("reward_amount", filter=Q(reward_status=RewardStatus.OWED)), zero),
        paid=Count("id", filter=Q(reward_status=RewardStatus.PAID)),
        paid_sum=Coalesce(Sum("reward_amount", filter=Q(reward_status=RewardStatus.PAID)), zero),
    )
    return Rewards(**row)


@dataclass(frozen=True)
class Families:
    two: int  # families spanning exactly two generations in the book
    three: int  # three or more


def families(links: QuerySet[Relationship]) -> Families:
    """Families across generations, over ``links`` (``book_links(user)``: parent links with both
    ends in the book).

    Counted at the eldest (no parent among the links), one per household (a customer without a
    household is a family of their own), by the deepest chain below them: a child in the book
    makes two generations, a grandchild three. One query over the links (few next to customers),
    then a walk over those pairs in memory.
    """
    pairs = links.order_by().values_list(
        "from_customer_id", "to_customer_id", "from_customer__household_id"
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
    # Each month's start in the user's zone, then which month a message falls in by plain
    # comparisons (truncating every timestamp in the zone is a Python call per row on SQLite).
    starts = [dt.datetime.combine(first, dt.time(), tzinfo=zone) for first in firsts]
    month = Case(
        *[When(received_at__lt=starts[i + 1], then=V(i)) for i in range(len(starts) - 1)],
        default=V(len(starts) - 1),
    )
    messages = InboundMessage.objects.visible_to(user).filter(
        received_at__gte=starts[0], received_at__lte=now
    )
    messages = messages.order_by().annotate(month=month)
    grouped: dict[int, list[tuple[int | None, bool, bool, int]]] = defaultdict(list)
    for response, replied, late, index, count in judged_groups(messages, now, "month"):
        grouped[index].append((response, replied, late, count))
    return [(first, summarise(grouped.get(i, []))) for i, first in enumerate(firsts)]


@dataclass(frozen=True)
class BookCounts:
    counts: dict[str, int]
    as_of: dt.datetime | None  # when the book was counted (kept once a day: ``book_rollup``)


def kept_counts(user: User, now: dt.datetime, n: int) -> BookCounts:
    """The customer counts of ``user``'s book from the owners' kept rollups."""
    owners = User.objects.visible_to(user).values_list("pk", flat=True)
    kept = read("insights.book", owners, now)
    rows = [tuple(row) for found in kept.data.values() for row in found]
    return BookCounts(counts_from_rows(rows, n), kept.as_of)


def scope_key(user: User) -> str:
    """The set of books ``user`` sees, as a short key ("all", or a digest of the owners' ids), so
    kept figures follow a change of team or role at once."""
    if sees_everything(user):
        return "all"
    owners = ",".join(
        str(pk) for pk in sorted(User.objects.visible_to(user).values_list("pk", flat=True))
    )
    return "owners:" + hashlib.sha256(owners.encode()).hexdigest()[:40]


def scope_figures(user: User, now: dt.datetime, today: dt.date) -> dict[str, Any]:
    """The figures that do not add up per owner, counted now, as JSON."""
    referrals = book_referrals(user)
    found = rewards(referrals)
    return {
        "referrals": [
            [first.isoformat(), count] for first, count in referrals_by_month(referrals, today)
        ],
        "rewards": {key: str(value) for key, value in vars(found).items()},
        "families": vars(families(book_links(user))),
        "responses": [
            [first.isoformat(), vars(figures)]
            for first, figures in response_times(user, now, today)
        ],
    }


def kept_scope_figures(
    user: User, now: dt.datetime, today: dt.date
) -> tuple[dict[str, Any], dt.datetime]:
    """``scope_figures`` as kept for the user's scope (counted at most a day before)."""
    data, as_of = read_scope(
        "insights.page", scope_key(user), now, lambda: scope_figures(user, now, today)
    )
    return {
        "referrals": [(dt.date.fromisoformat(first), count) for first, count in data["referrals"]],
        "rewards": Rewards(
            pending=int(data["rewards"]["pending"]),
            owed=int(data["rewards"]["owed"]),
            owed_sum=Decimal(data["rewards"]["owed_sum"]),
            paid=int(data["rewards"]["paid"]),
            paid_sum=Decimal(data["rewards"]["paid_sum"]),
        ),
        "families": Families(**data["families"]),
        "responses": [
            (dt.date.fromisoformat(first), ReplyFigures(**figures))
            for first, figures in data["responses"]
        ],
    }, as_of


def page_figures(user: User, now: dt.datetime, n: int = DEFAULT_N) -> dict[str, Any]:
    """Everything /insights/ shows for ``user`` (scoped), as kept: the customer counts from the
    owners' rollups, the rest for the user's scope, each counted at most a day before (a
    company's insights over a million customers take seconds to count)."""
    today = user.local_date(now)
    kept = kept_counts(user, now, n)
    counts = kept.counts
    parts, parts_as_of = kept_scope_figures(user, now, today)
    return {
        "today": today,
        "n": n,
        "customers": counts["total"],
        "counted_at": min(t for t in (kept.as_of, parts_as_of) if t is not None),
        **parts,
        "repeat": Rate(counts["repeaters"], counts["buyers"]),
        "retention": Rate(counts["retained"], counts["before"]),
        "cohorts": _cohorts(counts, n),
    }
