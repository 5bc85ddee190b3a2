"""Planning the mailings: one article per customer per period, on a stable, evenly spread day.

The calendar is cut into periods of ``Company.article_every_months`` months (aligned on January
2000, so with six months: January–June and July–December). Each period's working days (the
company's working days without its public holidays) are numbered 0…N-1. A customer's slot is
their place in their rep's book (ordered by id, counted from 0) modulo N, so a rep's customers are
dealt out over the period's working days like cards: no day gets more than the even share plus
one. The slot is stable (a new customer is added at the end of the book; a re-plan computes the
same numbers) and every customer gets one mailing per period, about ``article_every_months``
apart. A customer never mailed is due in the current period, on their slot day.

Planning is set-based: one ``INSERT … SELECT`` per period in the window numbers every book with
``ROW_NUMBER() OVER (PARTITION BY owner_id ORDER BY id)`` and writes the mailings whose slot
falls in the window (unique (customer, planned_on): a re-plan writes nothing). Then ``refresh``
holds back customers with an overdue promise, releases them when it is met, chooses the channel
from the customer's wishes, and matches articles.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from extramile.accounts.models import Company, User
from extramile.articles.matching import match_mailings
from extramile.articles.models import ArticleMailing, Channel, MailingStatus
from extramile.book.expectations import held_back, hold_back_reason
from extramile.book.models import Customer, EmailAddress, Status
from extramile.business_hours import BusinessHours, for_company

# The nightly plan looks this many days ahead, so a rep can review the coming week.
WINDOW_DAYS = 7
EPOCH_YEAR = 2000

NO_CHANNEL = "No e-mail (or e-mail not wanted) and no post wanted: nothing can be sent."
STILL_HELD_BACK = "Still held back when its period ended; the next period has its own mailing."


def period_of(day: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """The first and last day of the period of ``months`` months that holds ``day``."""
    index = ((day.year - EPOCH_YEAR) * 12 + day.month - 1) // months
    first, after = index * months, (index + 1) * months
    start = dt.date(EPOCH_YEAR + first // 12, first % 12 + 1, 1)
    end = dt.date(EPOCH_YEAR + after // 12, after % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def working_days(start: dt.date, end: dt.date, hours: BusinessHours) -> list[dt.date]:
    days, day = [], start
    while day <= end:
        if hours.is_working_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def slots(
    start: dt.date, end: dt.date, company: Company
) -> Iterator[tuple[tuple[dt.date, dt.date], int, dict[int, dt.date]]]:
    """For each period touching [start, end]: the period, its number of working days N, and the
    slot numbers whose day falls in [start, end]."""
    hours = for_company(company)
    day = start
    while day <= end:
        period = period_of(day, company.article_every_months)
        days = working_days(*period, hours)
        chosen = {i: d for i, d in enumerate(days) if start <= d <= end}
        if chosen:
            yield period, len(days), chosen
        day = period[1] + dt.timedelta(days=1)


def slot_day(customer: Customer, day: dt.date, company: Company | None = None) -> dt.date | None:
    """The customer's mailing day in the period holding ``day`` (for pages and tests)."""
    company = company or Company.get()
    period = period_of(day, company.article_every_months)
    days = working_days(*period, for_company(company))
    if not days:
        return None
    rank = Customer.objects.filter(owner_id=customer.owner_id, pk__lt=customer.pk).count()
    return days[rank % len(days)]


def insert_slots(
    owner_ids: list[int],
    period: tuple[dt.date, dt.date],
    count: int,
    chosen: dict[int, dt.date],
    now: dt.datetime,
) -> int:
    ops = connection.ops
    mailing, customer = ArticleMailing._meta.db_table, Customer._meta.db_table
    whens = " ".join("WHEN %s THEN %s" for _ in chosen)
    when_params: list[Any] = []
    for index, day in chosen.items():
        when_params += [index, ops.adapt_datefield_value(day)]
    owners = ", ".join("%s" for _ in owner_ids)
    indexes = ", ".join("%s" for _ in chosen)
    stamp = ops.adapt_datetimefield_value(now)
    sql = f"""
        INSERT INTO {mailing}
            (customer_id, owner_id, planned_on, status, channel, swapped, reason,
             created_at, updated_at)
        SELECT r.id, r.owner_id, CASE r.slot {whens} END, %s, %s, %s, %s, %s, %s
        FROM (
            SELECT c.id, c.owner_id, c.status,
                   (ROW_NUMBER() OVER (PARTITION BY c.owner_id ORDER BY c.id) - 1) %% %s AS slot
            FROM {customer} c WHERE c.owner_id IN ({owners})
        ) r
        WHERE r.slot IN ({indexes}) AND r.status <> %s
          AND NOT EXISTS (
            SELECT 1 FROM {mailing} m
            WHERE m.customer_id = r.id AND m.planned_on >= %s AND m.planned_on <= %s
          )
        ON CONFLICT DO NOTHING
    """  # noqa: S608  (table names from the models; every value is a parameter)
    params: list[Any] = [
        *when_params,
        MailingStatus.PLANNED.value,
        Channel.EMAIL.value,
        False,
        "",
        stamp,
        stamp,
        count,
        *owner_ids,
        *chosen,
        Status.FORMER.value,
        ops.adapt_datefield_value(period[0]),
        ops.adapt_datefield_value(period[1]),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def plan_mailings(
    start: dt.date,
    end: dt.date,
    now: dt.datetime,
    owners: QuerySet[User] | None = None,
    today: dt.date | None = None,
) -> int:
    """Plan (idempotently) every mailing whose day falls in [start, end], then hold back, release,
    choose channels and match articles up to ``end``. Returns how many mailings are new."""
    owners = owners if owners is not None else User.objects.filter(is_active=True)
    owner_ids = list(owners.filter(is_active=True).values_list("pk", flat=True))
    if not owner_ids:
        return 0
    company = Company.get()
    created = 0
    with transaction.atomic():
        for period, count, chosen in slots(start, end, company):
            created += insert_slots(owner_ids, period, count, chosen, now)
    refresh(end, today or start, now, owner_ids, company)
    return created


def mailings_of(owner_ids: list[int]) -> QuerySet[ArticleMailing]:
    return ArticleMailing.objects.filter(owner_id__in=owner_ids)


def refresh(
    end: dt.date, today: dt.date, now: dt.datetime, owner_ids: list[int], company: Company
) -> None:
    """Bring the open mailings due by ``end`` in line with the book as it is ``today``."""
    mine = mailings_of(owner_ids)
    period_start = period_of(today, company.article_every_months)[0]
    hours = for_company(company)
    with transaction.atomic():
        mine.filter(status=MailingStatus.HELD_BACK, planned_on__lt=period_start).update(
            status=MailingStatus.SKIPPED, reason=STILL_HELD_BACK, updated_at=now
        )
        hold_back(mine.filter(planned_on__lte=end), today, now)
        release(mine, today, now, hours)
        choose_channels(mine.filter(status=MailingStatus.PLANNED, planned_on__lte=end), now)
    match_mailings(
        mine.filter(status=MailingStatus.PLANNED, planned_on__lte=end, article__isnull=True), now
    )


def hold_back(mailings: QuerySet[ArticleMailing], today: dt.date, now: dt.datetime) -> int:
    """Expectations first: a customer with an overdue promise gets no extras until it is met."""
    held = mailings.filter(status=MailingStatus.PLANNED, customer_id__in=held_back(today))
    count = 0
    for mailing in held.select_related("customer"):
        reason = hold_back_reason(mailing.customer, today)[:300]
        count += ArticleMailing.objects.filter(pk=mailing.pk, status=MailingStatus.PLANNED).update(
            status=MailingStatus.HELD_BACK, reason=reason, updated_at=now
        )
    return count


def release(
    mailings: QuerySet[ArticleMailing], today: dt.date, now: dt.datetime, hours: BusinessHours
) -> int:
    """Mailings held back for a promise since met go out again: on their own day, or the next
    working day when that has passed."""
    waiting = mailings.filter(status=MailingStatus.HELD_BACK).exclude(
        customer_id__in=held_back(today)
    )
    soonest = today if hours.is_working_day(today) else hours.next_working_day(today)
    count = 0
    for mailing in waiting:
        day = max(mailing.planned_on, soonest)
        try:
            with transaction.atomic():
                count += ArticleMailing.objects.filter(
                    pk=mailing.pk, status=MailingStatus.HELD_BACK
                ).update(status=MailingStatus.PLANNED, planned_on=day, reason="", updated_at=now)
        except IntegrityError:  # another mailing that day already: this one is not needed
            ArticleMailing.objects.filter(pk=mailing.pk).update(
                status=MailingStatus.SKIPPED,
                reason="Another mailing goes that day.",
                updated_at=now,
            )
    return count


def email_wanted() -> Q:
    """The customer has an e-mail address and has not asked for no e-mail (or unsubscribed)."""
    has_email = Exists(EmailAddress.objects.filter(customer_id=OuterRef("customer_id")))
    return Q(has_email) & Q(customer__do_not_email=False)


def choose_channels(mailings: QuerySet[ArticleMailing], now: dt.datetime) -> None:
    """E-mail when the customer has an address and wants e-mail, else post; neither → skipped.
    Run on every plan and before sending, so a do-not-email is honoured at once."""
    mailings.filter(email_wanted()).exclude(channel=Channel.EMAIL).update(
        channel=Channel.EMAIL, updated_at=now
    )
    no_email = mailings.exclude(email_wanted())
    no_email.filter(customer__do_not_mail=False).exclude(channel=Channel.POST).update(
        channel=Channel.POST, updated_at=now
    )
    no_email.filter(customer__do_not_mail=True).update(
        status=MailingStatus.SKIPPED, reason=NO_CHANNEL, updated_at=now
    )
