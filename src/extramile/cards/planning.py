"""Planning cards: which card each recipient gets, for which occasion, by when it must be mailed.

One card per (recipient, occasion, year), enforced by two unique indexes (per person, per
household), so planning is idempotent. Planning is set-based: for each occasion and each date it
falls on, one ``INSERT … SELECT … ON CONFLICT … DO NOTHING`` writes every recipient's card at once
(a Christmas for a million customers is one statement, not a million).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    DateField,
    DateTimeField,
    IntegerField,
    Min,
    Q,
    QuerySet,
    Value,
)

from extramile.accounts.models import Company, User
from extramile.book.dates import month_days_on
from extramile.book.models import Customer, KeyDate, KeyDateKind, Sale, Status
from extramile.cards import calendar as occasion_calendar
from extramile.cards.models import (
    CREATED_ELSEWHERE,
    Card,
    CardStatus,
    Occasion,
    OccasionPreference,
    Source,
)

# How far ahead of an occasion its dates are searched: the lead time plus a long weekend.
LEAD_SLACK = 7
# Anniversaries are looked for back to this year.
FIRST_YEAR = 1900


def mail_by(occasion_on: dt.date, lead_days: int, working_weekdays: frozenset[int]) -> dt.date:
    """The last day to post a card so it arrives in time: the lead time before the occasion,
    moved back to a working day."""
    day = occasion_on - dt.timedelta(days=lead_days)
    for _ in range(7):
        if day.weekday() in working_weekdays:
            return day
        day -= dt.timedelta(days=1)
    return day


@dataclass
class CardPlan:
    start: dt.date
    end: dt.date
    planned: dict[str, int] = field(default_factory=dict)
    withdrawn: int = 0

    @property
    def created(self) -> int:
        return sum(self.planned.values())

    def as_dict(self) -> dict[str, object]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "created": self.created,
            "by_occasion": self.planned,
            "withdrawn": self.withdrawn,
        }


def occasion_dates(
    occasion: Occasion, start: dt.date, end: dt.date, country: str
) -> Iterator[dt.date]:
    """Every date in [start, end] on which ``occasion`` falls."""
    if occasion.is_personal:
        day = start
        while day <= end:
            yield day
            day += dt.timedelta(days=1)
        return
    yield from occasion_calendar.occurrences(yearly(occasion, country), start, end)


def yearly(occasion: Occasion, country: str) -> Callable[[int], dt.date | None]:
    """The date of a calendar occasion in a given year."""
    if occasion.source == Source.HOLIDAY:
        return partial(occasion_calendar.holiday_date, occasion.holiday, country=country)
    month, day, weekday, nth = occasion.month, occasion.day, occasion.weekday, occasion.nth
    if month is None:
        raise ValueError(f"The occasion {occasion} has no month.")
    if occasion.source == Source.FIXED and day is not None:
        return lambda year: occasion_calendar.fixed_date(month, day, year)
    if weekday is None or nth is None:
        raise ValueError(f"The occasion {occasion} needs a weekday and which one.")
    return lambda year: occasion_calendar.nth_weekday(year, month, weekday, nth)


def on_day(day: dt.date, month_field: str, day_field: str) -> Q:
    condition = Q(pk__in=[])
    for month, mday in month_days_on(day):
        condition |= Q(**{month_field: month, day_field: mday})
    return condition


def keydates_on(day: dt.date, kind: str) -> Q:
    """Customers with a key date of ``kind`` on ``day``, through the key dates' (month, day)
    index."""
    return read_first(KeyDate.objects.filter(on_day(day, "month", "day"), kind=kind))


def read_first(rows: QuerySet[Any]) -> Q:
    """The customers of ``rows`` (a day's key dates or sales: a few thousand at most, through
    their own index), read first and passed as a list. As a subquery, PostgreSQL scanned the whole
    book for each date (December's wedding anniversaries: 62 statements, 4.2 s of a re-plan at
    300,000 customers)."""
    return Q(pk__in=sorted(set(rows.values_list("customer_id", flat=True))))


def anniversaries_of(day: dt.date) -> list[dt.date]:
    """Every earlier date whose anniversary falls on ``day`` (29 February's on 28 February in
    common years), as a list an index on a date column can answer."""
    found = []
    for month, mday in month_days_on(day):
        for year in range(FIRST_YEAR, day.year):
            if month == 2 and mday == 29 and not calendar.isleap(year):
                continue
            found.append(dt.date(year, month, mday))
    return found


def date_conditions(source: str, day: dt.date) -> list[Q]:
    """Customers whose own occasion of ``source`` falls on ``day``: one condition per index to
    use (an OR across tables would make the database scan the whole book), planned one by one."""
    if source == Source.BIRTHDAY:
        return [on_day(day, "birth_month", "birth_day")]
    if source == Source.WEDDING:
        return [keydates_on(day, KeyDateKind.WEDDING)]
    if source == Source.KEY_DATE:
        return [keydates_on(day, KeyDateKind.CUSTOM)]
    earlier = anniversaries_of(day)
    if source == Source.PURCHASE:
        # The day's buyers, through the sale-date index.
        bought = read_first(Sale.objects.filter(date__in=earlier))
        return [bought, keydates_on(day, KeyDateKind.PURCHASE)]
    return [Q(customer_since__in=earlier), keydates_on(day, KeyDateKind.CUSTOMER_SINCE)]


def recipients(occasion: Occasion, owner_ids: list[int]) -> QuerySet[Customer]:
    """Customers who get this occasion's card: not do-not-mail, not former, opted in or not out.

    The owners travel as a literal list of ids (a few hundred at most), so the database picks the
    date's index rather than walking the book rep by rep."""
    people = Customer.objects.filter(owner_id__in=owner_ids, do_not_mail=False).exclude(
        status=Status.FORMER
    )
    # Uncorrelated subqueries: the database reads the few choices once, not once per customer.
    choices = OccasionPreference.objects.filter(occasion=occasion)
    if occasion.sends_by_default:
        opted_out = choices.filter(wants_card=False)
        if not opted_out.exists():
            return people
        return people.exclude(pk__in=opted_out.values("customer_id"))
    return people.filter(pk__in=choices.filter(wants_card=True).values("customer_id"))


# Why a planned card is withdrawn (thank-you notes use the same words).
NO_POST = "The customer asked for no post."
OPTED_OUT = "The customer opted out of this occasion."

COLUMNS = (
    "occasion_id",
    "year",
    "occasion_on",
    "mail_by",
    "owner_id",
    "customer_id",
    "household_id",
    "created_at",
    "updated_at",
    "handwritten",
)

# The two unique indexes that make planning idempotent (see Card.Meta.constraints).
PER_PERSON = "(customer_id, occasion_id, occasion_on) WHERE household_id IS NULL"
PER_HOUSEHOLD = "(household_id, occasion_id, year) WHERE household_id IS NOT NULL"


def insert_select(
    rows: QuerySet[Any], conflict: str, columns_in_order: tuple[str, ...] = COLUMNS
) -> int:
    """INSERT … SELECT the rows (columns in ``columns_in_order``); cards that exist are left
    alone."""
    try:
        select, params = rows.query.get_compiler(using=rows.db).as_sql()
    except EmptyResultSet:  # e.g. nobody bought anything on that day in any year
        return 0
    table = Card._meta.db_table
    columns = ", ".join(columns_in_order)
    sql = f"INSERT INTO {table} ({columns}) {select} ON CONFLICT {conflict} DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def card_rows(
    people: QuerySet[Customer],
    occasion: Occasion,
    occasion_on: dt.date,
    due: dt.date,
    now: dt.datetime,
) -> list[tuple[QuerySet[Customer], str]]:
    """The SELECTs that give one row per card, each with its uniqueness rule: per household for
    household occasions (and per person for those without a household), else per person."""
    constants = {
        "c_occasion": Value(occasion.pk, IntegerField()),
        "c_year": Value(occasion_on.year, IntegerField()),
        "c_on": Value(occasion_on, DateField()),
        "c_mail_by": Value(due, DateField()),
        "c_none": Value(None, IntegerField()),
        "c_created": Value(now, DateTimeField()),
        "c_updated": Value(now, DateTimeField()),
        "c_handwritten": Value(occasion.handwritten, BooleanField()),
    }
    names = ["c_occasion", "c_year", "c_on", "c_mail_by"]
    times = ["c_created", "c_updated", "c_handwritten"]
    people = people.order_by()  # no ORDER BY in an INSERT … SELECT
    singles = people.filter(household__isnull=True) if occasion.per_household else people
    queries = [
        (
            singles.annotate(**constants).values_list(*names, "owner_id", "id", "c_none", *times),
            PER_PERSON,
        )
    ]
    if occasion.per_household:
        # The household's card goes to the rep of its first member (lowest id) who gets one.
        households = (
            people.filter(household__isnull=False)
            .values("household_id")
            .annotate(c_customer=Min("id"), c_owner=Min("owner_id"))
            .annotate(**constants)
            .values_list(*names, "c_owner", "c_customer", "household_id", *times)
        )
        queries.append((households, PER_HOUSEHOLD))
    return queries


def window_for(start: dt.date, end: dt.date, lead_days: int) -> tuple[dt.date, dt.date]:
    """The occasion dates whose mail-by date can fall in [start, end]."""
    return start + dt.timedelta(days=lead_days), end + dt.timedelta(days=lead_days + LEAD_SLACK)


def plan_cards(
    start: dt.date,
    end: dt.date,
    now: dt.datetime,
    owners: QuerySet[User] | None = None,
    occasions: QuerySet[Occasion] | None = None,
    not_before: dt.date | None = None,
) -> CardPlan:
    """Plan every card whose mail-by date falls within [start, end]. Idempotent.

    With ``not_before`` (the nightly plan passes today), a card planned after its mail-by date has
    passed is due today instead: late, but in one batch to mail now, not scattered over the past.
    """
    owners = owners if owners is not None else User.objects.filter(is_active=True)
    company = Company.get()
    summary = CardPlan(start, end)
    owner_ids = list(owners.filter(is_active=True).values_list("pk", flat=True))
    if not owner_ids:
        return summary
    window = Window(start, end, not_before, company)
    chosen = occasions if occasions is not None else Occasion.objects.all()
    # Thank-you notes come from sales as they are recorded (cards/thanks.py), articles by post
    # from the article mailings as they go out (articles/delivery.py): never from the calendar.
    for occasion in chosen.exclude(source__in=CREATED_ELSEWHERE):
        # One transaction per occasion: a commit per date would write the same index pages over
        # and over (twice as slow at a million customers).
        with transaction.atomic():
            created = plan_occasion(occasion, recipients(occasion, owner_ids), window, now)
        summary.planned[occasion.code] = created
    if summary.created >= FRESH_STATISTICS_AFTER:
        refresh_statistics()
    summary.withdrawn = withdraw(start, now, owners)
    return summary


# A plan that writes this many cards (a December season: about two cards a customer) has changed
# the table's size by an order of magnitude before autovacuum can notice.
FRESH_STATISTICS_AFTER = 50_000


def refresh_statistics() -> None:
    """``ANALYZE`` the cards on PostgreSQL after a big plan. With the statistics of the table
    before the season (a few hundred planned cards), the withdrawal's updates read the whole
    per-person index instead of seeking the few customers concerned: 1.3 s instead of 30 ms at
    300,000 customers, every night until autovacuum runs. SQLite plans these by its indexes."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Card._meta.db_table)}")


@dataclass(frozen=True)
class Window:
    """Which mail-by dates are planned, and the company rules that turn an occasion into one."""

    start: dt.date
    end: dt.date
    not_before: dt.date | None
    company: Company

    def due(self, occasion_on: dt.date) -> dt.date | None:
        """The card's mail-by date, or None when it falls outside the window."""
        company = self.company
        due = mail_by(occasion_on, company.card_lead_days, company.working_weekdays)
        if not self.start <= due <= self.end:
            return None
        if self.not_before is not None:
            due = max(due, min(self.not_before, occasion_on))
        return due


def plan_occasion(
    occasion: Occasion, people: QuerySet[Customer], window: Window, now: dt.datetime
) -> int:
    """Write the cards of one occasion whose mail-by date falls in the window; return how many
    are new."""
    first, last = window_for(window.start, window.end, window.company.card_lead_days)
    created = 0
    for occasion_on in occasion_dates(occasion, first, last, window.company.country):
        due = window.due(occasion_on)
        if due is None:
            continue
        selections = (
            [people.filter(c) for c in date_conditions(occasion.source, occasion_on)]
            if occasion.is_personal
            else [people]
        )
        for selection in selections:
            for rows, conflict in card_rows(selection, occasion, occasion_on, due, now):
                created += insert_select(rows, conflict)
    return created


def withdraw(start: dt.date, now: dt.datetime, owners: QuerySet[User]) -> int:
    """Skip, with the reason, planned cards whose recipient no longer wants post: they asked for no
    mail, opted out of the occasion, or left. Written or mailed cards are left as they are.

    Driven from the few customers concerned (through the cards' customer index), not by reading
    every planned card of the season."""
    planned = Card.objects.filter(
        owner__in=owners, status=CardStatus.PLANNED, mail_by__gte=start, household__isnull=True
    )
    count = 0

    def skip(cards: QuerySet[Card], reason: str) -> int:
        return cards.update(status=CardStatus.SKIPPED, skip_reason=reason, updated_at=now)

    no_post = Customer.objects.filter(do_not_mail=True, owner__in=owners).values("pk")
    count += skip(planned.filter(customer_id__in=no_post), NO_POST)
    gone = Customer.objects.filter(status=Status.FORMER, owner__in=owners).values("pk")
    count += skip(planned.filter(customer_id__in=gone), "No longer a customer.")
    opted_out = OccasionPreference.objects.filter(wants_card=False)
    for occasion_id in set(opted_out.values_list("occasion_id", flat=True)):
        who = opted_out.filter(occasion_id=occasion_id).values("customer_id")
        count += skip(
            planned.filter(occasion_id=occasion_id, customer_id__in=who),
            OPTED_OUT,
        )
    return count
