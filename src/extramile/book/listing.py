"""The Customers page's list: a page of narrow rows read in one statement, without counting the
whole list.

A page is the page's rows plus one (is there a next page?), read as values: no model instance, no
prefetch. A customer's first e-mail address and phone number (primary first, as the customer page
orders them) come in the same statement through a subquery per row, served by the
``(customer, address)`` and ``(customer, number)`` uniqueness indexes. The count stops at
``COUNT_CAP``: a book of a million customers is "more than 1,000" to a person reading the list,
and the list must not read the whole book to say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, OuterRef, QuerySet, Subquery

from extramile.book.contact import display_phone
from extramile.book.models import Customer, EmailAddress, PhoneNumber, Status, display_name

PAGE_SIZE = 50
COUNT_CAP = 1000
NAME_ORDER: list[Any] = ["last_name", "first_name", "id"]
# "Best first": by value score (customers not scored yet last).
BEST_FIRST: list[Any] = [F("value_score__score").desc(nulls_last=True), "id"]
STATUS_LABELS = dict(Status.choices)


@dataclass(frozen=True, slots=True)
class CustomerRow:
    """What a row of the list shows."""

    pk: int
    first_name: str
    last_name: str
    preferred_name: str
    company_name: str
    status: str
    tier: str
    city: str
    score: float | None
    email: str | None
    phone: str | None
    owner: str

    @property
    def full_name(self) -> str:
        return (
            display_name(self.first_name, self.last_name, self.company_name)
            or f"Customer #{self.pk}"
        )

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def phone_display(self) -> str:
        return display_phone(self.phone) if self.phone else ""


def first_of(model: type[EmailAddress] | type[PhoneNumber], field: str) -> Subquery:
    """The customer's first ``field`` of ``model``: the primary one, else the oldest."""
    return Subquery(
        model.objects.filter(customer=OuterRef("pk"))
        .order_by("-is_primary", "id")
        .values(field)[:1]
    )


ROW_FIELDS = (
    "pk",
    "first_name",
    "last_name",
    "preferred_name",
    "company_name",
    "status",
    "tier",
    "city",
    "household__city",
    "value_score__score",
    "first_email",
    "first_phone",
)


def rows_of(customers: QuerySet[Customer], *, owners: bool) -> QuerySet[Any]:
    """``customers`` as the list's narrow rows (``values``), with the owner's name if ``owners``."""
    fields = [
        *ROW_FIELDS,
        *(("owner__first_name", "owner__last_name", "owner__username") if owners else ()),
    ]
    return customers.annotate(
        first_email=first_of(EmailAddress, "address"),
        first_phone=first_of(PhoneNumber, "number"),
    ).values(*fields)


def page_rows(
    customers: QuerySet[Customer], order: list[Any], start: int, limit: int, *, owners: bool
) -> list[dict[str, Any]]:
    """The rows ``start`` to ``start + limit`` of ``customers`` in ``order``: the page's ids
    chosen first (the matches sorted on the index's columns alone), then only those rows read with
    their e-mail and phone (a search matching 5,000 customers would otherwise look up 5,000
    addresses to show 50: SQLite computes a row's columns before sorting)."""
    ids = customers.order_by(*order).values("pk")[start : start + limit]
    chosen = Customer.objects.filter(pk__in=Subquery(ids)).order_by(*order)
    return list(rows_of(chosen, owners=owners))


def row(values: dict[str, Any]) -> CustomerRow:
    owner = ""
    if "owner__username" in values:
        owner = (
            " ".join(p for p in (values["owner__first_name"], values["owner__last_name"]) if p)
            or values["owner__username"]
        )
    return CustomerRow(
        pk=values["pk"],
        first_name=values["first_name"],
        last_name=values["last_name"],
        preferred_name=values["preferred_name"],
        company_name=values["company_name"],
        status=values["status"],
        tier=values["tier"],
        city=values["city"] or values["household__city"] or "",
        score=values["value_score__score"],
        email=values["first_email"],
        phone=values["first_phone"],
        owner=owner,
    )


class CappedPage:
    """A page of the customer list without counting the whole list: the page's rows plus one
    (is there a next page?) and a count that stops at ``COUNT_CAP``."""

    def __init__(
        self,
        customers: QuerySet[Customer],
        number: str | None,
        *,
        best_first: bool = False,
        owners: bool = False,
        page_size: int | None = None,
        cap: int | None = None,
    ) -> None:
        size = page_size or PAGE_SIZE
        cap = cap or COUNT_CAP
        self.number = int(number) if number and number.isdigit() and int(number) > 0 else 1
        order = BEST_FIRST if best_first else NAME_ORDER
        start = (self.number - 1) * size
        found = page_rows(customers, order, start, size + 1, owners=owners)
        if not found and self.number > 1:  # past the end: the first page, as Paginator did
            self.number, start = 1, 0
            found = page_rows(customers, order, 0, size + 1, owners=owners)
        self.object_list = [row(values) for values in found[:size]]
        self.has_next = len(found) > size
        self.has_previous = self.number > 1
        self.has_other_pages = self.has_next or self.has_previous
        self.next_page_number = self.number + 1
        self.previous_page_number = self.number - 1
        counted = start + len(found) if not self.has_next else None
        if counted is None:
            counted = customers.order_by().values("pk")[: cap + 1].count()
        self.count = min(counted, cap)
        self.more = counted > cap
