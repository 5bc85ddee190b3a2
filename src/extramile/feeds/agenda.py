"""What a user's calendar feed holds: their own agenda for the next 30 days.

The window is the user's local today and the 29 days after it. Each item is the user's own
(a manager's feed is their agenda, not their team's) and about a customer they may see
(``accounts.scoping``):

* open or snoozed **actions** they own, due in the window (timed when the action has a deadline);
  promise, card and service actions are left out because their own records below carry them;
* **promises** to their customers not met yet, due in the window;
* **cards to mail**: one all-day item per mail-by date with the number of cards still to mail
  (`cards.agenda.batches`, the query Today's card rows read: the two always agree);
* **lunches** accepted with a date in the window;
* **service request deadlines** (first response, resolution) of open requests assigned to them;
* their customers' **birthdays** and **key dates** in the window (former customers left out).

Overdue work is not repeated on today: Today's list is where it waits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.urls import reverse

from extramile.accounts.models import User
from extramile.agenda import habits
from extramile.agenda.models import Action, ActionStatus
from extramile.book import dates
from extramile.book.models import Customer, KeyDate, Promise, Status
from extramile.service.models import OPEN_STATUSES, ServiceRequest
from extramile.value.models import Invitation, InvitationStatus

DAYS = 30
# Deadlines are shown as short events ending at the deadline.
DEADLINE_MINUTES = 15
Book = QuerySet[Customer]


@dataclass(frozen=True)
class Item:
    uid: str  # stable: the same record gives the same UID in every fetch
    summary: str
    day: dt.date | None = None  # an all-day item
    at: dt.datetime | None = None  # a timed item (UTC): when it starts
    minutes: int = DEADLINE_MINUTES
    description: str = ""
    path: str = ""  # the page in ExtraMile, for the event's URL
    category: str = ""

    @property
    def sort_key(self) -> tuple[str, str]:
        when = self.at.isoformat() if self.at else (self.day.isoformat() if self.day else "")
        return when, self.uid


def window(user: User, now: dt.datetime) -> tuple[dt.date, dt.date]:
    """The first and the last day of the feed, in the user's own time zone."""
    today = user.local_date(now)
    return today, today + dt.timedelta(days=DAYS - 1)


def items(user: User, now: dt.datetime) -> list[Item]:
    first, last = window(user, now)
    mine = Customer.objects.visible_to(user).filter(owner=user)
    found = [
        *_actions(user, mine, first, last),
        *_promises(mine, first, last),
        *_cards(user, mine, first, last),
        *_lunches(user, mine, first, last),
        *_service(user, now, first, last),
        *_birthdays(mine, first, last),
        *_key_dates(mine, first, last),
    ]
    return sorted(found, key=lambda item: item.sort_key)


def _customer_q(field: str, mine: Book) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__in": mine})


def _actions(user: User, mine: Book, first: dt.date, last: dt.date) -> list[Item]:
    actions = (
        Action.objects.filter(
            owner=user,
            status__in=[ActionStatus.OPEN, ActionStatus.SNOOZED],
            due_on__range=(first, last),
        )
        .filter(_customer_q("customer", mine))
        .exclude(kind__in=habits.kinds_where(in_calendar=False))  # their records show instead
        .select_related("customer")
    )
    found = []
    for action in actions:
        detail = action.detail
        if action.customer is not None:
            detail = f"{action.customer.full_name}\n{detail}".strip()
        found.append(
            Item(
                uid=f"action-{action.pk}",
                summary=action.title,
                day=None if action.due_at else action.due_on,
                at=action.due_at - dt.timedelta(minutes=DEADLINE_MINUTES)
                if action.due_at
                else None,
                description=detail,
                path=reverse("customer", args=[action.customer_id])
                if action.customer_id
                else reverse("today"),
                category=habits.labels().get(action.kind, action.kind),
            )
        )
    return found


def _promises(mine: Book, first: dt.date, last: dt.date) -> list[Item]:
    promises = Promise.objects.filter(
        customer__in=mine, met_at__isnull=True, due_on__range=(first, last)
    ).select_related("customer")
    return [
        Item(
            uid=f"promise-{p.pk}",
            summary=f"{p.get_kind_display()}: {p.description} ({p.customer.full_name})",
            day=p.due_on,
            description=p.description,
            path=reverse("customer", args=[p.customer_id]),
            category="Promise",
        )
        for p in promises
    ]


def _cards(user: User, mine: Book, first: dt.date, last: dt.date) -> list[Item]:
    """One item per batch, counted by the query Today's card rows read (``cards.agenda.batches``)."""
    from extramile.cards.agenda import batches

    return [
        Item(
            uid=f"cards-{user.pk}-{batch.mail_by:%Y%m%d}",
            summary=f"Mail {batch.total} card{'s' if batch.total != 1 else ''}",
            day=batch.mail_by,
            description=batch.detail,
            path=reverse("cards"),
            category="Cards",
        )
        for batch in batches([user.pk], first, last)
        if batch.mail_by >= first
    ]


def _lunches(user: User, mine: Book, first: dt.date, last: dt.date) -> list[Item]:
    invitations = Invitation.objects.filter(
        owner=user,
        customer__in=mine,
        status=InvitationStatus.ACCEPTED,
        meal_on__range=(first, last),
    ).select_related("customer")
    return [
        Item(
            uid=f"lunch-{i.pk}",
            summary=f"{(i.get_kind_display() or 'Lunch')} with {i.customer.full_name}",
            day=i.meal_on,
            description=i.notes,
            path=reverse("customer", args=[i.customer_id]),
            category="Lunch",
        )
        for i in invitations
    ]


def _service(user: User, now: dt.datetime, first: dt.date, last: dt.date) -> list[Item]:
    zone = user.zone()
    start = dt.datetime.combine(first, dt.time(0), zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), zone)
    requests = ServiceRequest.objects.filter(
        assignee=user,
        customer__in=Customer.objects.visible_to(user),
        status__in=OPEN_STATUSES,
    ).select_related("customer")
    found = []
    for r in requests.filter(
        Q(first_response_at__isnull=True, first_response_due_at__range=(start, end))
        | Q(resolve_due_at__range=(start, end))
    ):
        deadlines = [("resolve", "Resolve", r.resolve_due_at)]
        if r.first_response_at is None:
            deadlines.insert(0, ("response", "First response", r.first_response_due_at))
        for key, what, due in deadlines:
            if start <= due < end:
                found.append(
                    Item(
                        uid=f"service-{r.pk}-{key}",
                        summary=f"{what} due: {r.subject} ({r.customer.full_name})",
                        at=due - dt.timedelta(minutes=DEADLINE_MINUTES),
                        description=r.details,
                        path=reverse("service-request", args=[r.pk]),
                        category="Service",
                    )
                )
    return found


def _month_days(first: dt.date, last: dt.date) -> dict[tuple[int, int], dt.date]:
    """Each (month, day) celebrated in the window, and the day it is celebrated on."""
    found: dict[tuple[int, int], dt.date] = {}
    day = first
    while day <= last:
        for pair in dates.month_days_on(day):
            found[pair] = day
        day += dt.timedelta(days=1)
    return found


def _birthdays(mine: Book, first: dt.date, last: dt.date) -> list[Item]:
    pairs = _month_days(first, last)
    match = reduce(or_, (Q(birth_month=m, birth_day=d) for m, d in pairs))
    customers = Customer.objects.filter(match, pk__in=mine).exclude(status=Status.FORMER)
    found = []
    for c in customers.only(
        "pk", "first_name", "last_name", "company_name", "birth_month", "birth_day", "birth_year"
    ):
        assert c.birth_month is not None and c.birth_day is not None
        day = pairs[(c.birth_month, c.birth_day)]
        age = dates.years_since(c.birth_year, day)
        summary = f"Birthday: {c.full_name}" + (f" (turns {age})" if age else "")
        found.append(
            Item(
                uid=f"birthday-{c.pk}-{day.year}",
                summary=summary,
                day=day,
                path=reverse("customer", args=[c.pk]),
                category="Birthday",
            )
        )
    return found


def _key_dates(mine: Book, first: dt.date, last: dt.date) -> list[Item]:
    pairs = _month_days(first, last)
    match = reduce(or_, (Q(month=m, day=d) for m, d in pairs))
    key_dates = (
        KeyDate.objects.filter(match, customer__in=mine)
        .exclude(customer__status=Status.FORMER)
        .select_related("customer")
    )
    found = []
    for k in key_dates:
        day = pairs[(k.month, k.day)]
        years = dates.years_since(k.year, day)
        found.append(
            Item(
                uid=f"keydate-{k.pk}-{day.year}",
                summary=f"{k.title}: {k.customer.full_name}"
                + (f" ({years} years)" if years else ""),
                day=day,
                path=reverse("customer", args=[k.customer_id]),
                category="Key date",
            )
        )
    return found
