"""Changes to the customer book, with their rules in one place. Views, CLI and API call these."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Lower
from django.db.models.lookups import GreaterThanOrEqual, LessThan, StartsWith

from extramile import clock
from extramile.accounts.models import User
from extramile.agenda import actions
from extramile.agenda.planners import PROMISE
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
    Status,
)
from extramile.book.signals import sale_recorded

NAME_FIELDS = ("first_name", "last_name", "preferred_name", "company_name")


# "Your book" ------------------------------------------------------------------------------------
def book(user: User) -> QuerySet[Customer]:
    """**The book**: every customer ``user`` may see (``accounts.scoping``) — prospects, customers
    and former customers alike. This is the number the Customers page shows; every other page
    that counts a part of it says which part, with ``book_size(user).note(part)``."""
    return Customer.objects.visible_to(user)


# The parts of the book other pages count, and what each leaves out.
BOUGHT = "bought"  # customers and former customers (Insights: prospects have not bought)
CUSTOMERS = "customers"  # status customer (the value score ranks these)
CALLABLE = "callable"  # customers who take calls (the calls rotation and its coverage)


@dataclass(frozen=True)
class BookSize:
    """How many customers a book holds, by the parts pages count. One grouped query."""

    words: str  # "your book", "your team's books", "the company's book"
    prospects: int = 0
    customers: int = 0
    former: int = 0
    do_not_call: int = 0  # customers (status customer) marked do-not-call

    @property
    def total(self) -> int:
        return self.prospects + self.customers + self.former

    def part(self, name: str) -> int:
        return {
            BOUGHT: self.customers + self.former,
            CUSTOMERS: self.customers,
            CALLABLE: self.customers - self.do_not_call,
        }[name]

    def left_out(self, name: str) -> list[str]:
        out = [(self.prospects, "prospect")]
        if name in (CUSTOMERS, CALLABLE):
            out.append((self.former, "former customer"))
        if name == CALLABLE:
            out.append((self.do_not_call, "do-not-call customer"))
        return [f"{n:,} {word}{'' if n == 1 else 's'}" for n, word in out if n]

    def note(self, name: str) -> str:
        """“483 of the 542 in your book: customers and former customers (59 prospects left
        out).”"""
        what = {
            BOUGHT: "customers and former customers",
            CUSTOMERS: "current customers",
            CALLABLE: "customers who take calls",
        }[name]
        text = f"{self.part(name):,} of the {self.total:,} in {self.words}: {what}"
        left = self.left_out(name)
        if left:
            text += f" ({_joined(left)} left out)"
        return text + "."


def _joined(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def book_words(user: User) -> str:
    if user.is_superuser or user.is_admin_role:
        return "the company's book"
    if user.is_manager and user.team_id is not None:
        return "your team's books"
    return "your book"


def book_size(user: User) -> BookSize:
    """The size of ``book(user)`` by status (and do-not-call among customers)."""
    counts: dict[str, int] = {}
    do_not_call = 0
    # COUNT(*), not COUNT(id): PostgreSQL then counts from the (owner, status, do_not_call, …)
    # index alone; COUNT(id) read every row of the book from the table (a rep's 5,000 customers
    # at 1,000,000: 7 ms -> 1 ms).
    rows = book(user).order_by().values_list("status", "do_not_call").annotate(n=Count("*"))
    for status, dnc, n in rows:
        counts[status] = counts.get(status, 0) + n
        if dnc and status == Status.CUSTOMER:
            do_not_call += n
    return BookSize(
        words=book_words(user),
        prospects=counts.get(Status.PROSPECT, 0),
        customers=counts.get(Status.CUSTOMER, 0),
        former=counts.get(Status.FORMER, 0),
        do_not_call=do_not_call,
    )


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


def pick_tier(customer: Customer, tier: str) -> None:
    """A person sets the customer's tier (the form, the API). A change is marked ``tier_by_hand``,
    which the value score then leaves alone; the same tier again changes nothing."""
    if tier != customer.tier:
        customer.tier_by_hand = True
    customer.tier = tier


ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def name_starts(field: str, word: str) -> Q:
    """``field`` starts with ``word``, whatever the case, written so that the index on
    ``lower(field)`` serves it (migration book 0007; within a book, ``(owner_id, lower(field))``,
    0008): a range on SQLite (whose ``lower`` folds
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


class FutureSale(ValidationError):
    """A sale dated after the seller's today (the API answers 409: today decides, not the body)."""


class RepeatedSale(ValidationError):
    """The same sale recorded a moment ago: a form submitted twice. ``sale`` is the first one."""

    def __init__(self, sale: Sale) -> None:
        super().__init__("That sale was recorded a moment ago; not recorded again.")
        self.sale = sale


# A second identical sale within this time is taken for a double submit of the same form.
DOUBLE_SUBMIT = dt.timedelta(minutes=1)


def check_sale_date(day: dt.date, today: dt.date) -> None:
    """A sale happened: it can't be dated after the seller's ``today``."""
    if day > today:
        raise FutureSale(f"A sale can't be dated in the future (today is {today:%d %b %Y}).")


def sale_description(text: str) -> str:
    """What was bought, on one line; it must say something."""
    text = " ".join(str(text).split())
    if not text:
        raise ValidationError("Say what was bought.")
    return text


def repeated_sale(
    customer: Customer, date: dt.date, description: str, amount: Decimal, now: dt.datetime
) -> Sale | None:
    """The same sale (customer, date, description, amount) recorded within ``DOUBLE_SUBMIT``."""
    return (
        Sale.objects.filter(
            customer=customer,
            date=date,
            description=description,
            amount=amount,
            created_at__gte=now - DOUBLE_SUBMIT,
        )
        .order_by("-id")
        .first()
    )


@transaction.atomic
def record_sale(
    customer: Customer,
    date: dt.date,
    description: str,
    amount: Decimal,
    sold_by: User | None,
    now: dt.datetime | None = None,
    *,
    refuse_repeat: bool = False,
) -> Sale:
    """Record a sale: every edge (the customer page, ``extramile sale``, the API) calls this, so
    the rules are here. Not after the seller's today (``FutureSale``; the seller, else the
    customer's owner); it says what was bought. With ``refuse_repeat`` (a form a person may submit
    twice) the same sale within ``DOUBLE_SUBMIT`` is refused with ``RepeatedSale``; the customer's
    row is locked first, so two racing submits see each other. (The API's retries are answered by
    their ``Idempotency-Key`` instead.)

    A referral of this customer that was waiting on a sale now has it, and its reward, if any,
    becomes owed. The customer's thank-you note (and its Today item) is created in the same
    transaction (``signals.sale_recorded``, which cards answers with the note)."""
    now = now or clock.now()
    description = sale_description(description)
    check_sale_date(date, (sold_by or customer.owner).local_date(now))
    if refuse_repeat:
        list(Customer.objects.select_for_update().filter(pk=customer.pk).values_list("pk"))
        first = repeated_sale(customer, date, description, amount, now)
        if first is not None:
            raise RepeatedSale(first)
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
    sale_recorded.send(sender=Sale, sale=sale, now=now)
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
    Promise.objects.filter(pk=promise.pk, met_at__isnull=True).update(met_at=now)
    actions.close(PROMISE.key.build(promise.pk), now, outcome="Promise met.")
    promise.refresh_from_db()
    return promise
