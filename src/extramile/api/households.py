"""``/api/households``: postal units of several customers (one card to one address)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Query, Router, Status
from ninja.errors import HttpError
from pydantic import BaseModel

from extramile.accounts.models import User
from extramile.api.access import get_visible, personal_user
from extramile.api.errors import responses
from extramile.api.idempotency import idempotent
from extramile.api.pages import Page, PageParams, check_query, paginate
from extramile.api.types import NOT_BLANK, Country, Id, Input, required_text, unchanged
from extramile.book.models import Customer, Household

router = Router(tags=["households"])

ADDRESS = ("street", "city", "region", "postal_code", "country")


class HouseholdOut(BaseModel):
    id: int
    name: str
    street: str
    city: str
    region: str
    postal_code: str
    country: str
    members: list[int] = Field(description="The ids of the members you can see.")
    created_at: dt.datetime


class HouseholdPage(Page[HouseholdOut]):
    pass


class HouseholdFilters(Input):
    q: str = Field("", max_length=100, description="Part of the household's name.")


class HouseholdIn(Input):
    name: str = required_text(200, description="As on an envelope.")
    street: str = Field("", max_length=200)
    city: str = Field("", max_length=100)
    region: str = Field("", max_length=100)
    postal_code: str = Field("", max_length=20)
    country: Country = ""
    members: list[Id] = Field(
        min_length=1, max_length=50, description="Ids of your customers who live there."
    )


class HouseholdPatch(Input):
    name: str = unchanged(min_length=1, max_length=200, pattern=NOT_BLANK)
    street: str = unchanged(max_length=200)
    city: str = unchanged(max_length=100)
    region: str = unchanged(max_length=100)
    postal_code: str = unchanged(max_length=20)
    country: Country = unchanged()
    members: list[Id] = unchanged(
        min_length=1,
        max_length=50,
        description="Replaces the members you can see (others' customers stay).",
    )


def serialize(households: Iterable[Household], user: User) -> list[HouseholdOut]:
    households = list(households)
    members: dict[int, list[int]] = {}
    rows = Customer.objects.visible_to(user).filter(household__in=households).order_by("id")
    for customer_id, household_id in rows.values_list("id", "household_id"):
        members.setdefault(household_id, []).append(customer_id)
    return [
        HouseholdOut(
            id=h.pk,
            name=h.name,
            members=members.get(h.pk, []),
            created_at=h.created_at,
            **{field: getattr(h, field) for field in ADDRESS},
        )
        for h in households
    ]


def _members(user: User, ids: list[int]) -> list[Customer]:
    found = list(Customer.objects.visible_to(user).filter(pk__in=set(ids)))
    missing = sorted(set(ids) - {c.pk for c in found})
    if missing:
        raise HttpError(404, f"There is no customer {missing[0]} that you can see (members).")
    return found


def _save(user: User, household: Household, data: dict[str, Any]) -> Household:
    if data.get("name") is not None:
        household.name = " ".join(data["name"].split())
    for field in ADDRESS:
        if data.get(field) is not None:
            setattr(household, field, data[field].strip())
    household.country = household.country.upper()
    household.full_clean()
    if not household.name:
        raise ValidationError({"name": ["Give the household a name."]})
    household.save()
    if data.get("members") is not None:
        members = _members(user, data["members"])
        Customer.objects.visible_to(user).filter(household=household).exclude(
            pk__in=[m.pk for m in members]
        ).update(household=None)
        Customer.objects.filter(pk__in=[m.pk for m in members]).update(household=household)
    return household


@router.get("/households", response=responses({200: HouseholdPage}), summary="List households")
def list_households(
    request: HttpRequest, filters: Query[HouseholdFilters], page: Query[PageParams]
) -> dict[str, Any]:
    check_query(request, HouseholdFilters)
    user = personal_user(request)
    households = Household.objects.visible_to(user).order_by("name", "id")
    if filters.q.strip():
        households = households.filter(name__icontains=filters.q.strip())
    return paginate(request, households, page, lambda rows: serialize(rows, user))


@router.get(
    "/households/{household_id}",
    response=responses({200: HouseholdOut}, 404),
    summary="Read a household",
)
def get_household(request: HttpRequest, household_id: int) -> HouseholdOut:
    user = personal_user(request)
    return serialize(
        [get_visible(Household.objects.visible_to(user), household_id, "household")], user
    )[0]


@router.post(
    "/households",
    response=responses({201: HouseholdOut}, 400, 404, 409),
    summary="Create a household",
    description="Give its name, its address and at least one member. 404 when a member is not "
    "a customer you can see.",
)
@idempotent
def create_household(request: HttpRequest, payload: HouseholdIn) -> Status[HouseholdOut]:
    user = personal_user(request)
    with transaction.atomic():
        household = _save(user, Household(), payload.model_dump())
    return Status(201, serialize([household], user)[0])


@router.patch(
    "/households/{household_id}",
    response=responses({200: HouseholdOut}, 400, 404),
    summary="Change a household",
    description="Send only what changes; `members`, when sent, replaces the members you can see. "
    "404 when the household or a member is not one you can see.",
)
def update_household(
    request: HttpRequest, household_id: int, payload: HouseholdPatch
) -> HouseholdOut:
    user = personal_user(request)
    with transaction.atomic():
        household = get_visible(Household.objects.visible_to(user), household_id, "household")
        household = _save(user, household, payload.model_dump(exclude_unset=True))
    return serialize([household], user)[0]


@router.delete(
    "/households/{household_id}",
    response=responses({204: None}, 404),
    summary="Delete a household",
    description="Its members stay, without a household. Refused (403) while it has members "
    "you cannot see.",
)
def delete_household(request: HttpRequest, household_id: int) -> Status[None]:
    user = personal_user(request)
    household = get_visible(Household.objects.visible_to(user), household_id, "household")
    if household.members.exclude(pk__in=Customer.objects.visible_to(user)).exists():
        raise HttpError(403, "This household has members in another book: ask their owner.")
    household.delete()
    return Status(204, None)
