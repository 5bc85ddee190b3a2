"""Changes to the customer book, with their rules in one place. Views, CLI and API call these."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Lower
from django.db.models.lookups import GreaterThanOrEqual, LessThan, StartsWith

from extramile import clock
from extramile.accounts.models import User
from extramile.book.contact import normalise_email, normalise_phone, try_normalise_phone
from extramile.book.models import (
    Contact,
    ContactChannel,
    Customer,
    EmailAddress,
    PhoneNumber,
    Promise,
    Referral,
    Relationship,
    RewardStatus,
    Sale,
)

NAME_FIELDS = ("first_name", "last_name", "preferred_name", "company_name")


def search_customers(queryset: QuerySet[Customer], text: str, region: str) -> QuerySet[Customer]:
    """Customers matching ``text``: an e-mail address, a phone number in any format, or names."""
    text = " ".join(text.split())
    if not text:
        return queryset
    if "@" in text:
        return queryset.filter(emails__address__icontains=text).distinct()
    digits = sum(ch.isdigit() for ch in text)
    if digits >= 6:
        e164 = try_normalise_phone(text, region)
        if e164:
            return queryset.filter(phones__number=e164).distinct()
        only_digits = "".join(ch for ch in text if ch.isdigit())
        return queryset.filter(phones__number__contains=only_digits).distinct()
    for word in text.split(" ")[:4]:
        condition = Q()
        for field in NAME_FIELDS:
            condition |= name_starts(field, word)
        queryset = queryset.filter(condition)
    return queryset


ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def name_starts(field: str, word: str) -> Q:
    """``field`` starts with ``word``, whatever the case, written so that the index on
    ``lower(field)`` serves it (migration book 0007): a range on SQLite (whose ``lower`` folds
    ASCII only, as its ``LIKE`` does), ``LIKE 'word%'`` on PostgreSQL (``text_pattern_ops``)."""
    lowered = Lower(field)
    if connection.vendor == "postgresql":
        return Q(StartsWith(lowered, Value(word.lower())))
    start = word.translate(ASCII_LOWER)
    after = Q(GreaterThanOrEqual(lowered, Value(start)))
    if ord(start[-1]) >= sys.maxunicode:  # no character sorts after it: no upper end
        return after & Q(StartsWith(lowered, Value(start)))
    end = start[:-1] + chr(ord(start[-1]) + 1)
    return after & Q(LessThan(lowered, Value(end)))


def add_email(customer: Customer, raw: str, label: str = "") -> EmailAddress:
    address = normalise_email(raw)
    if customer.emails.filter(address__iexact=address).exists():
        raise ValidationError(f"{customer} already has the address {address}.")
    return EmailAddress.objects.create(
        customer=customer, address=address, label=label, is_primary=not customer.emails.exists()
    )


def add_phone(customer: Customer, raw: str, region: str, label: str = "") -> PhoneNumber:
    number = normalise_phone(raw, region)
    if customer.phones.filter(number=number).exists():
        raise ValidationError(f"{customer} already has the number {number}.")
    return PhoneNumber.objects.create(
        customer=customer, number=number, label=label, is_primary=not customer.phones.exists()
    )


def relate(person: Customer, kind: str, other: Customer, note: str = "") -> Relationship:
    """Record that ``person`` is the ``kind`` of ``other`` (stored once, readable both ways)."""
    if person.pk == other.pk:
        raise ValidationError("A customer cannot be related to themselves.")
    pair = Q(from_customer=person, to_customer=other) | Q(from_customer=other, to_customer=person)
    if Relationship.objects.filter(pair).exists():
        raise ValidationError(f"{person} and {other} are already related.")
    relationship = Relationship(from_customer=person, to_customer=other, kind=kind, note=note)
    relationship.full_clean(validate_unique=False)
    relationship.save()
    return relationship


@transaction.atomic
def record_sale(
    customer: Customer,
    date: dt.date,
    description: str,
    amount: Decimal,
    sold_by: User | None,
    now: dt.datetime | None = None,
) -> Sale:
    """Record a sale. A referral of this customer that was waiting on a sale now has it, and its
    reward, if any, becomes owed. The customer's thank-you note (and its Today item) is created
    in the same transaction (``cards.thanks.note_for_sale``; ``note_of(sale)`` finds it)."""
    from extramile.cards.thanks import note_for_sale  # cards builds on the book

    now = now or clock.now()
    sale = Sale(
        customer=customer, date=date, description=description, amount=amount, sold_by=sold_by
    )
    sale.full_clean()
    sale.save()
    waiting = Referral.objects.select_for_update().filter(referred=customer, sale__isnull=True)
    for referral in waiting:
        referral.sale = sale
        if referral.reward_status == RewardStatus.PENDING:
            referral.reward_status = RewardStatus.OWED
        referral.save(update_fields=["sale", "reward_status"])
    note_for_sale(sale, now)
    return sale


@transaction.atomic
def record_contact(
    customer: Customer,
    at: dt.datetime,
    channel: str,
    user: User | None = None,
    summary: str = "",
) -> Contact:
    """Record a real contact and move the customer's last contact forward (never back: a call
    logged late for last week leaves a newer contact in place)."""
    if channel not in ContactChannel.values:
        raise ValidationError(f"“{channel}” is not a kind of contact.")
    contact = Contact.objects.create(
        customer=customer, user=user, at=at, channel=channel, summary=summary[:300]
    )
    Customer.objects.filter(pk=customer.pk).filter(
        Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=at)
    ).update(last_contact_at=at)
    customer.refresh_from_db(fields=["last_contact_at"])
    return contact


def pay_reward(referral: Referral, paid_on: dt.date) -> Referral:
    if referral.reward_status != RewardStatus.OWED:
        raise ValidationError(
            "Only an owed reward can be paid: the referred sale must close first."
        )
    updated = Referral.objects.filter(pk=referral.pk, reward_status=RewardStatus.OWED).update(
        reward_status=RewardStatus.PAID, reward_paid_on=paid_on
    )
    if not updated:
        raise ValidationError("This reward was paid already.")
    referral.refresh_from_db()
    return referral


@transaction.atomic
def mark_promise_met(promise: Promise, now: dt.datetime) -> Promise:
    """Mark a promise met, and close its action on the agenda."""
    from extramile.agenda.models import Action, ActionStatus

    Promise.objects.filter(pk=promise.pk, met_at__isnull=True).update(met_at=now)
    Action.objects.filter(
        key=f"promise:{promise.pk}", status__in=[ActionStatus.OPEN, ActionStatus.SNOOZED]
    ).update(status=ActionStatus.DONE, completed_at=now, updated_at=now, outcome="Promise met.")
    promise.refresh_from_db()
    return promise
