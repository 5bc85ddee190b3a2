"""Twelve a year: the built-in monthly card programme, one switch in Settings.

When ``CardBranding.monthly`` is on, every customer and prospect gets one card a month on the
month's theme (``MonthlyTheme``, edited by the company): one per household, none for do-not-mail
or former customers or those who opted out of "Monthly card" on their page. The card's mail-by
day is a working day of the month at least ``GAP`` days from any other card to the same person
or household (a birthday, Christmas…), so nobody gets two cards in a week; where no such day
exists that month there is no monthly card. Within those rules each rep's cards are spread over
the month's working days, least-loaded day first.

Each month is its own occasion (``monthly-01`` … ``monthly-12``), so the per-household index
(household, occasion, year) keeps planning idempotent; ``monthly`` is the programme itself (its
preferences are the opt-outs, it is never planned).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet

from extramile.accounts.models import Company, User
from extramile.cards.models import Card, CardBranding, CardStatus, Occasion, Source
from extramile.cards.planning import recipients

PROGRAMME = "monthly"
GAP = 7


def month_code(month: int) -> str:
    return f"monthly-{month:02d}"


@dataclass
class MonthPlan:
    year: int
    month: int
    created: int = 0
    too_close: int = 0  # recipients left out: another card within a week on every working day
    per_day: dict[int, Counter[dt.date]] = field(default_factory=dict)


def working_days(year: int, month: int, company: Company) -> list[dt.date]:
    weekdays = company.working_weekdays
    last = calendar.monthrange(year, month)[1]
    days = [dt.date(year, month, d) for d in range(1, last + 1)]
    return [d for d in days if d.weekday() in weekdays]


def plan_month(
    year: int, month: int, now: dt.datetime, owners: QuerySet[User] | None = None
) -> MonthPlan:
    """Plan the month's monthly cards (nothing when the programme is off). Idempotent."""
    result = MonthPlan(year, month)
    if not CardBranding.get().monthly:
        return result
    company = Company.get()
    programme = Occasion.objects.get(code=PROGRAMME)
    occasion = Occasion.objects.get(code=month_code(month))
    owners = owners if owners is not None else User.objects.filter(is_active=True)
    owner_ids = list(owners.filter(is_active=True).values_list("pk", flat=True))
    days = working_days(year, month, company)
    if not owner_ids or not days:
        return result
    # Who: one recipient per household (its lowest id, with that member's rep) or per person.
    chosen: dict[tuple[str, int], tuple[int, int, int | None]] = {}
    household_of: dict[int, int] = {}
    people = recipients(programme, owner_ids).order_by("id")
    for pk, owner_id, household_id in people.values_list("id", "owner_id", "household_id"):
        if household_id is not None:
            household_of[pk] = household_id
            chosen.setdefault(("h", household_id), (pk, owner_id, household_id))
        else:
            chosen[("c", pk)] = (pk, owner_id, None)
    # The other cards near this month, per recipient key: no monthly card within GAP days.
    first, last = days[0] - dt.timedelta(days=GAP), days[-1] + dt.timedelta(days=GAP)
    busy: dict[tuple[str, int], list[dt.date]] = defaultdict(list)
    nearby = (
        Card.objects.filter(owner_id__in=owner_ids, mail_by__gte=first, mail_by__lte=last)
        .exclude(status=CardStatus.SKIPPED)
        .exclude(occasion__source=Source.MONTHLY)
        .values_list("customer_id", "household_id", "mail_by")
    )
    for customer_id, card_household, mail_by in nearby:
        home = card_household or household_of.get(customer_id)
        busy[("h", home) if home is not None else ("c", customer_id)].append(mail_by)
    done: set[tuple[str, int]] = set()
    load: dict[int, Counter[dt.date]] = defaultdict(Counter)
    existing = Card.objects.filter(occasion=occasion, year=year).values_list(
        "owner_id", "customer_id", "household_id", "mail_by"
    )
    for rep_id, customer_id, card_household, mail_by in existing:
        done.add(("h", card_household) if card_household is not None else ("c", customer_id))
        load[rep_id][mail_by] += 1
    new: list[Card] = []
    for key, (pk, rep, home) in chosen.items():
        if key in done:
            continue
        free = [d for d in days if all(abs((d - b).days) >= GAP for b in busy.get(key, []))]
        if not free:
            result.too_close += 1
            continue
        counts = load[rep]
        day = min(free, key=lambda d: (counts[d], d))
        counts[day] += 1
        new.append(
            Card(
                occasion=occasion,
                year=year,
                occasion_on=day,
                mail_by=day,
                owner_id=rep,
                customer_id=pk,
                household_id=home,
                created_at=now,
                updated_at=now,
            )
        )
    Card.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    result.created = len(new)
    result.per_day = dict(load)
    return result


def months_ahead(day: dt.date) -> list[tuple[int, int]]:
    """This month and the next: what the nightly preparer plans."""
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return [(day.year, day.month), (following.year, following.month)]


def summary(year: int, month: int, owner_ids: list[int] | None = None) -> dict[str, object]:
    """The programme at a glance for the Cards page: on or off, the month's theme, cards planned
    and mailed."""
    from extramile.cards.models import MonthlyTheme

    theme = MonthlyTheme.objects.filter(month=month).first()
    cards = Card.objects.filter(occasion__code=month_code(month), year=year)
    if owner_ids is not None:
        cards = cards.filter(owner_id__in=owner_ids)
    return {
        "on": CardBranding.get().monthly,
        "theme": theme,
        "planned": cards.count(),
        "mailed": cards.filter(status=CardStatus.MAILED).count(),
        "month": dt.date(year, month, 1),
    }
