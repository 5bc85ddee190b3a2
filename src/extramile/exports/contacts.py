"""Customers as address-book entries: what the CSV and vCard exports write, read a chunk at a time.

One ``Entry`` per customer with their e-mail addresses and phones (primary first), postal
address, birthday, wedding anniversary, interests and fact tags, facts and do-not flags.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import QuerySet

from extramile.articles.models import CustomerTopic
from extramile.book.models import (
    Customer,
    EmailAddress,
    Fact,
    KeyDate,
    KeyDateKind,
    PhoneNumber,
)
from extramile.exports.records import chunks, subset


@dataclass(frozen=True)
class MonthDay:
    month: int
    day: int
    year: int | None

    def iso(self) -> str:
        """2026-04-15, or --04-15 without a year (ISO 8601's truncated form)."""
        if self.year:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        return f"--{self.month:02d}-{self.day:02d}"

    def vcard(self) -> str:
        """19800415, or --0415 without a year (RFC 6350 date-noreduc / date-noyear)."""
        if self.year:
            return f"{self.year:04d}{self.month:02d}{self.day:02d}"
        return f"--{self.month:02d}{self.day:02d}"


@dataclass
class Entry:
    customer: Customer
    emails: list[tuple[str, str]] = field(default_factory=list)  # (address, label)
    phones: list[tuple[str, str]] = field(default_factory=list)  # (E.164, label)
    anniversary: MonthDay | None = None
    facts: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)

    @property
    def birthday(self) -> MonthDay | None:
        c = self.customer
        if c.birth_month is None or c.birth_day is None:
            return None
        return MonthDay(c.birth_month, c.birth_day, c.birth_year)


def entries(book: QuerySet[Customer]) -> Iterator[Entry]:
    """An entry per customer of ``book``, in id order, reading 500 customers at a time."""
    for ids in chunks(book):
        chunk = subset(book, ids)
        customers = Customer.objects.filter(pk__in=ids).select_related("owner", "household")
        by_id = {c.pk: Entry(c) for c in customers.order_by("pk")}
        for address, label, cid in (
            EmailAddress.objects.filter(customer__in=chunk)
            .order_by("-is_primary", "id")
            .values_list("address", "label", "customer_id")
        ):
            by_id[cid].emails.append((address, label))
        for number, label, cid in (
            PhoneNumber.objects.filter(customer__in=chunk)
            .order_by("-is_primary", "id")
            .values_list("number", "label", "customer_id")
        ):
            by_id[cid].phones.append((number, label))
        for month, day, year, cid in (
            KeyDate.objects.filter(customer__in=chunk, kind=KeyDateKind.WEDDING)
            .order_by("-id")
            .values_list("month", "day", "year", "customer_id")
        ):
            by_id[cid].anniversary = MonthDay(month, day, year)
        tags: dict[int, list[str]] = defaultdict(list)
        for text, fact_tags, cid in (
            Fact.objects.filter(customer__in=chunk)
            .order_by("-pinned", "id")
            .values_list("text", "tags", "customer_id")
        ):
            by_id[cid].facts.append(text)
            tags[cid] += [t.strip() for t in fact_tags.split(",") if t.strip()]
        for topic, cid in (
            CustomerTopic.objects.filter(customer__in=chunk)
            .order_by("topic")
            .values_list("topic", "customer_id")
        ):
            tags[cid].insert(0, topic)
        for cid, found in tags.items():
            by_id[cid].categories = list(dict.fromkeys(found))
        yield from by_id.values()
