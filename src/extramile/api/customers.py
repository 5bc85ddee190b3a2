"""``/api/customers``: the book, as the token's user sees it.

List (paginated, searchable, filterable, ordered), read, create, change (PATCH) and delete.
Rules live in the model (``full_clean``), ``book.services`` and ``book.contact``; this module only
maps JSON to them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from enum import StrEnum
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Status
from ninja.errors import HttpError
from pydantic import BaseModel, ConfigDict, model_validator

from extramile import clock
from extramile.accounts.models import Company, User
from extramile.api import rules
from extramile.api.access import get_visible, personal_user, user_by_name
from extramile.api.errors import as_conflict, responses
from extramile.api.idempotency import idempotent
from extramile.api.pages import Page, PageParams, check_query, paginate
from extramile.api.types import (
    Country,
    Day,
    Email,
    Flag,
    Input,
    Int,
    Moment,
    Phone,
    TimeZoneName,
    unchanged,
)
from extramile.book import filters as customer_filters
from extramile.book import services, shape
from extramile.book.models import (
    Customer,
    EmailAddress,
    Household,
    PhoneNumber,
    Tier,
)
from extramile.book.models import Status as BookStatus
from extramile.exports.erasure import ErasureRefused, erase, may_erase

router = Router(tags=["customers"])


class CustomerStatus(StrEnum):
    """``book.Status`` under its own name in the OpenAPI schema (service requests have a status
    too)."""

    PROSPECT = "prospect"
    CUSTOMER = "customer"
    FORMER = "former"


assert {s.value for s in CustomerStatus} == set(BookStatus.values)

ORDERINGS = {
    "name": ["last_name", "first_name", "id"],
    "-name": ["-last_name", "-first_name", "-id"],
    "created": ["created_at", "id"],
    "-created": ["-created_at", "-id"],
    "updated": ["updated_at", "id"],
    "-updated": ["-updated_at", "-id"],
    "id": ["id"],
    "-id": ["-id"],
}
Ordering = Literal["name", "-name", "created", "-created", "updated", "-updated", "id", "-id"]

# Fields a client may write, besides owner, household, emails and phones.
WRITABLE = shape.EDITABLE
READ_ONLY = shape.READ_ONLY


class EmailOut(BaseModel):
    address: str
    label: str
    is_primary: bool


class PhoneOut(BaseModel):
    number: str = Field(description="E.164, e.g. +12125550100.")
    label: str
    is_primary: bool


class CustomerOut(BaseModel):
    id: int
    name: str = Field(description="How the customer is named everywhere.")
    first_name: str
    last_name: str
    preferred_name: str
    company_name: str
    status: CustomerStatus
    tier: Tier
    owner: str = Field(description="The owner rep's username.")
    household: int | None
    birth_month: int | None
    birth_day: int | None
    birth_year: int | None
    street: str
    city: str
    region: str
    postal_code: str
    country: str
    language: str
    time_zone: str
    customer_since: dt.date | None
    do_not_call: bool
    do_not_email: bool
    do_not_mail: bool
    do_not_text: bool
    notes: str
    emails: list[EmailOut]
    phones: list[PhoneOut]
    last_contact_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class CustomerPage(Page[CustomerOut]):
    pass


class CustomerFilters(Input):
    q: str = Field(
        "", max_length=100, description="A name, an e-mail address or a phone number in any format."
    )
    status: CustomerStatus | None = None
    tier: Tier | None = None
    owner: str | None = Field(None, max_length=150, description="The owner's username or e-mail.")
    household: int | None = Field(None, ge=1, le=2**31 - 1)
    updated_since: Moment | None = Field(
        None, description="Changed at or after this instant (ISO 8601 with its zone)."
    )
    ordering: Ordering = Field("name", description="name, created, updated or id; '-' reverses.")


NAMES = ("first_name", "last_name", "company_name")
NO_NAME = "Give a first name, a last name or a company name."
BIRTH = ("birth_month", "birth_day", "birth_year")


class CustomerIn(Input):
    """At least one name; a birthday that exists (a month and a day, a year only with them)."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [rules.one_of_schema(NAMES), *rules.month_day_schema(*BIRTH, patch=False)]
        }
    )

    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    preferred_name: str = Field("", max_length=100)
    company_name: str = Field("", max_length=200)
    status: CustomerStatus = CustomerStatus.CUSTOMER
    tier: Tier | None = Field(None, description="Set by hand: the value score leaves it alone.")
    owner: str | None = Field(
        None,
        min_length=1,
        max_length=254,
        description="Username or e-mail of the owner; default: you.",
    )
    household: Int | None = Field(None, ge=1, le=2**31 - 1)
    birth_month: Int | None = Field(None, ge=1, le=12)
    birth_day: Int | None = Field(None, ge=1, le=31)
    birth_year: Int | None = Field(None, ge=1900, le=2100)
    street: str = Field("", max_length=200)
    city: str = Field("", max_length=100)
    region: str = Field("", max_length=100)
    postal_code: str = Field("", max_length=20)
    country: Country = ""
    language: str = Field("", max_length=10)
    time_zone: TimeZoneName = ""
    customer_since: Day | None = None
    do_not_call: Flag = False
    do_not_email: Flag = False
    do_not_mail: Flag = False
    do_not_text: Flag = False
    notes: str = Field("", max_length=10_000)
    emails: list[Email] = Field(
        [],
        max_length=10,
        json_schema_extra={"uniqueItems": True},
        description="The first is the primary one.",
    )
    phones: list[Phone] = Field(
        [],
        max_length=10,
        json_schema_extra={"uniqueItems": True},
        description="The first is the primary one.",
    )

    @model_validator(mode="after")
    def a_name_and_a_real_birthday(self) -> CustomerIn:
        data = self.model_dump()
        rules.check_one_of(data, NAMES, NO_NAME)
        rules.check_month_day(data, *BIRTH, patch=False)
        return self


class CustomerPatch(Input):
    """Only the fields sent change. ``emails`` and ``phones``, when sent, replace the lists. A
    change that would leave the customer without a name, or with a birthday that does not exist
    once merged with what is stored, is a 409."""

    model_config = ConfigDict(
        json_schema_extra={"allOf": rules.month_day_schema(*BIRTH, patch=True)}
    )

    first_name: str = unchanged(max_length=100)
    last_name: str = unchanged(max_length=100)
    preferred_name: str = unchanged(max_length=100)
    company_name: str = unchanged(max_length=200)
    status: CustomerStatus = unchanged()
    tier: Tier = unchanged()
    owner: str = unchanged(min_length=1, max_length=254)
    household: Int | None = Field(None, ge=1, le=2**31 - 1)
    birth_month: Int | None = Field(None, ge=1, le=12)
    birth_day: Int | None = Field(None, ge=1, le=31)
    birth_year: Int | None = Field(None, ge=1900, le=2100)
    street: str = unchanged(max_length=200)
    city: str = unchanged(max_length=100)
    region: str = unchanged(max_length=100)
    postal_code: str = unchanged(max_length=20)
    country: Country = unchanged()
    language: str = unchanged(max_length=10)
    time_zone: TimeZoneName = unchanged()
    customer_since: Day | None = None
    do_not_call: Flag = unchanged()
    do_not_email: Flag = unchanged()
    do_not_mail: Flag = unchanged()
    do_not_text: Flag = unchanged()
    notes: str = unchanged(max_length=10_000)
    emails: list[Email] = unchanged(max_length=10, json_schema_extra={"uniqueItems": True})
    phones: list[Phone] = unchanged(max_length=10, json_schema_extra={"uniqueItems": True})

    @model_validator(mode="after")
    def a_real_birthday(self) -> CustomerPatch:
        rules.check_month_day(self.model_dump(exclude_unset=True), *BIRTH, patch=True)
        return self


def contacts_of(ids: list[int]) -> tuple[dict[int, list[Any]], dict[int, list[Any]]]:
    """The e-mails and phones of customers ``ids``, primary first: two plain queries (cheaper
    than prefetch_related's model instances on a busy list)."""
    emails: dict[int, list[Any]] = defaultdict(list)
    phones: dict[int, list[Any]] = defaultdict(list)
    rows = EmailAddress.objects.filter(customer_id__in=ids).order_by("-is_primary", "id")
    for customer_id, address, label, primary in rows.values_list(
        "customer_id", "address", "label", "is_primary"
    ):
        emails[customer_id].append({"address": address, "label": label, "is_primary": primary})
    numbers = PhoneNumber.objects.filter(customer_id__in=ids).order_by("-is_primary", "id")
    for customer_id, number, label, primary in numbers.values_list(
        "customer_id", "number", "label", "is_primary"
    ):
        phones[customer_id].append({"number": number, "label": label, "is_primary": primary})
    return emails, phones


def serialize(customers: Iterable[Customer]) -> list[dict[str, Any]]:
    """Customers as ``CustomerOut`` (plain dicts: ninja validates them once, on the way out)."""
    customers = list(customers)
    emails, phones = contacts_of([c.pk for c in customers])
    return [
        {
            "id": c.pk,
            "name": c.full_name,
            "owner": c.owner.username,
            "household": c.household_id,
            "emails": emails.get(c.pk, []),
            "phones": phones.get(c.pk, []),
            **{name: getattr(c, name) for name in (*WRITABLE, *READ_ONLY)},
        }
        for c in customers
    ]


def customer_out(customer: Customer) -> dict[str, Any]:
    return serialize([customer])[0]


def with_related(customers: Any) -> Any:
    return customers.select_related("owner")


def _owner(user: User, text: str) -> User:
    found = user_by_name(user, text)
    if found is None:
        raise HttpError(404, f"There is no user “{text}” you can give customers to (owner).")
    return found


def _household(user: User, pk: int) -> Any:
    return get_visible(Household.objects.visible_to(user), pk, "household")


def _set_contacts(customer: Customer, emails: list[str] | None, phones: list[str] | None) -> None:
    """Replace the customer's e-mails and phones (each normalised; duplicates refused)."""
    region = Company.get().country
    for field, values, add, existing in (
        ("emails", emails, lambda raw: services.add_email(customer, raw), customer.emails),
        ("phones", phones, lambda raw: services.add_phone(customer, raw, region), customer.phones),
    ):
        if values is None:
            continue
        existing.all().delete()
        for raw in values:
            try:
                add(raw)
            except ValidationError as error:
                raise ValidationError({field: error.messages}) from None


def _apply(user: User, customer: Customer, data: dict[str, Any]) -> None:
    for name in WRITABLE:
        if name not in data or (name == "tier" and data[name] is None):
            continue
        value = data[name]
        if name == "tier":
            services.pick_tier(customer, value)
            continue
        setattr(customer, name, value.strip() if isinstance(value, str) else value)
    if data.get("owner") is not None:
        customer.owner = _owner(user, data["owner"])
    if "household" in data:
        customer.household = _household(user, data["household"]) if data["household"] else None


@router.get(
    "/customers",
    response=responses({200: CustomerPage}),
    summary="List customers",
    description="The customers you may see (your book; a manager's team; an admin everyone), "
    "filtered and ordered, a page at a time.",
)
def list_customers(
    request: HttpRequest, filters: Query[CustomerFilters], page: Query[PageParams]
) -> dict[str, Any]:
    check_query(request, CustomerFilters)
    user = personal_user(request)
    book: QuerySet[Customer] = Customer.objects.visible_to(user)
    if filters.updated_since is not None and filters.updated_since.tzinfo is None:
        raise ValidationError({"updated_since": ["Give the time with its zone, e.g. Z."]})
    book = customer_filters.filtered(
        book,
        user,
        Company.get().country if filters.q.strip() else "",
        q=filters.q.strip(),
        status=filters.status,
        tier=filters.tier,
        owner=filters.owner,
        household=filters.household,
        updated_since=filters.updated_since,
    )
    book = with_related(book.order_by(*ORDERINGS[filters.ordering]))
    return paginate(request, book, page, serialize)


@router.get(
    "/customers/{customer_id}",
    response=responses({200: CustomerOut}, 404),
    summary="Read a customer",
)
def get_customer(request: HttpRequest, customer_id: int) -> dict[str, Any]:
    user = personal_user(request)
    return customer_out(
        get_visible(with_related(Customer.objects.visible_to(user)), customer_id, "customer")
    )


@router.post(
    "/customers",
    response=responses({201: CustomerOut}, 400, 404, 409),
    summary="Create a customer",
    description="Give at least a first name, a last name or a company name. Send an "
    "`Idempotency-Key` header to make a retry safe. 404 when the `owner` or the `household` is "
    "not one you can see.",
)
@idempotent
def create_customer(request: HttpRequest, payload: CustomerIn) -> Status[dict[str, Any]]:
    user = personal_user(request)
    data = payload.model_dump()
    with transaction.atomic():
        customer = Customer(owner=user)
        _apply(user, customer, data)
        customer.full_clean()
        customer.save()
        _set_contacts(customer, data["emails"], data["phones"])
    return Status(201, customer_out(with_related(Customer.objects).get(pk=customer.pk)))


@router.patch(
    "/customers/{customer_id}",
    response=responses({200: CustomerOut}, 400, 404, 409),
    summary="Change a customer",
    description="Send only what changes. `emails` or `phones`, when sent, replace the list. 404 "
    "when the customer, the `owner` or the `household` is not one you can see; 409 when the "
    "change, with what is stored, would leave no name or a birthday that does not exist.",
)
def update_customer(
    request: HttpRequest, customer_id: int, payload: CustomerPatch
) -> dict[str, Any]:
    user = personal_user(request)
    data = payload.model_dump(exclude_unset=True)
    with transaction.atomic():
        customer = get_visible(
            Customer.objects.visible_to(user).select_for_update(), customer_id, "customer"
        )
        _apply(user, customer, data)
        with as_conflict():  # what is stored and what is sent, together
            customer.full_clean()
        customer.save()
        _set_contacts(customer, data.get("emails"), data.get("phones"))
    return customer_out(with_related(Customer.objects).get(pk=customer.pk))


@router.delete(
    "/customers/{customer_id}",
    response=responses({204: None}, 404, 409),
    summary="Delete (erase) a customer",
    description="Managers (their team's customers) and admins only; a rep's token gets 403. "
    "Erases the customer and every personal record about them, and writes an audit record "
    "(who, when, what was removed), as `extramile erase` does.",
)
def delete_customer(request: HttpRequest, customer_id: int) -> Status[None]:
    user = personal_user(request)
    customer = get_visible(Customer.objects.visible_to(user), customer_id, "customer")
    if not may_erase(user):
        raise HttpError(403, "Only a manager or an admin can delete a customer.")
    try:
        erase(user, customer.pk, clock.now(), via="api")
    except ErasureRefused as refused:
        raise HttpError(409, str(refused)) from None
    return Status(204, None)
