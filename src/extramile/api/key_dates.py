"""``/api/key-dates``: wedding and purchase anniversaries, customer-since and other yearly dates.

Birthdays live on the customer (``birth_month``, ``birth_day``, ``birth_year``). A date without a
year is fine, 29 February too; 30 February never (``book.dates``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Status
from pydantic import BaseModel, ConfigDict, model_validator

from extramile.api import rules
from extramile.api.access import customer_or_404, get_visible, personal_user
from extramile.api.errors import as_conflict, responses
from extramile.api.idempotency import idempotent
from extramile.api.pages import Page, PageParams, check_query, paginate
from extramile.api.types import Input, Int, unchanged
from extramile.book.models import KeyDate, KeyDateKind

router = Router(tags=["key dates"])

ID = Field(None, ge=1, le=2**31 - 1)


class KeyDateOut(BaseModel):
    id: int
    customer: int
    kind: KeyDateKind
    label: str
    title: str = Field(description="The label, or the kind's name.")
    month: int
    day: int
    year: int | None


class KeyDatePage(Page[KeyDateOut]):
    pass


class KeyDateFilters(Input):
    customer: int | None = ID
    kind: KeyDateKind | None = None
    month: int | None = Field(None, ge=1, le=12)


DATE = ("month", "day", "year")
CUSTOM = KeyDateKind.CUSTOM.value
SAY_WHAT = "Say what this date is."


class KeyDateIn(Input):
    """A date that exists (30 February never; 29 February in a leap year or without a year); an
    other date says what it is (``label``)."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                *rules.month_day_schema(*DATE, patch=False),
                rules.given_then_text_schema("kind", CUSTOM, "label"),
            ]
        }
    )

    customer: Int = Field(ge=1, le=2**31 - 1)
    kind: KeyDateKind
    label: str = Field("", max_length=100, description="What it is (needed for custom dates).")
    month: Int = Field(ge=1, le=12)
    day: Int = Field(ge=1, le=31)
    year: Int | None = Field(None, ge=1900, le=2100)

    @model_validator(mode="after")
    def a_real_date_that_says_what_it_is(self) -> KeyDateIn:
        data = self.model_dump()
        rules.check_month_day(data, *DATE, patch=False)
        rules.check_text_when(data, "kind", CUSTOM, "label", SAY_WHAT)
        return self


class KeyDatePatch(Input):
    """Only the fields sent change; a change that, with what is stored, makes a date that does
    not exist or an other date without a label is a 409."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                *rules.month_day_schema(*DATE, patch=True),
                rules.given_then_text_schema_patch("kind", CUSTOM, "label"),
            ]
        }
    )

    kind: KeyDateKind = unchanged()
    label: str = unchanged(max_length=100)
    month: Int = unchanged(ge=1, le=12)
    day: Int = unchanged(ge=1, le=31)
    year: Int | None = Field(None, ge=1900, le=2100)

    @model_validator(mode="after")
    def a_real_date_that_says_what_it_is(self) -> KeyDatePatch:
        sent = self.model_dump(exclude_unset=True)
        rules.check_month_day(sent, *DATE, patch=True)
        rules.check_text_when(sent, "kind", CUSTOM, "label", SAY_WHAT)
        return self


def key_date_out(key_date: KeyDate) -> KeyDateOut:
    return KeyDateOut(
        id=key_date.pk,
        customer=key_date.customer_id,
        kind=KeyDateKind(key_date.kind),
        label=key_date.label,
        title=key_date.title,
        month=key_date.month,
        day=key_date.day,
        year=key_date.year,
    )


def serialize(rows: Iterable[KeyDate]) -> list[KeyDateOut]:
    return [key_date_out(row) for row in rows]


def _save(key_date: KeyDate, data: dict[str, Any]) -> KeyDate:
    for field in ("kind", "label", "month", "day", "year"):
        if field in data and (data[field] is not None or field == "year"):
            value = data[field]
            setattr(key_date, field, value.strip() if isinstance(value, str) else value)
    with as_conflict():  # a PATCH's fields with the stored ones (a POST's pass: see KeyDateIn)
        key_date.full_clean()
    key_date.save()
    return key_date


@router.get("/key-dates", response=responses({200: KeyDatePage}), summary="List key dates")
def list_key_dates(
    request: HttpRequest, filters: Query[KeyDateFilters], page: Query[PageParams]
) -> dict[str, Any]:
    check_query(request, KeyDateFilters)
    rows = KeyDate.objects.visible_to(personal_user(request)).order_by("month", "day", "id")
    if filters.customer is not None:
        rows = rows.filter(customer_id=filters.customer)
    if filters.kind is not None:
        rows = rows.filter(kind=filters.kind)
    if filters.month is not None:
        rows = rows.filter(month=filters.month)
    return paginate(request, rows, page, serialize)


@router.get(
    "/key-dates/{key_date_id}",
    response=responses({200: KeyDateOut}, 404),
    summary="Read a key date",
)
def get_key_date(request: HttpRequest, key_date_id: int) -> KeyDateOut:
    user = personal_user(request)
    return key_date_out(get_visible(KeyDate.objects.visible_to(user), key_date_id, "key date"))


@router.post(
    "/key-dates", response=responses({201: KeyDateOut}, 400, 404, 409), summary="Add a key date"
)
@idempotent
def create_key_date(request: HttpRequest, payload: KeyDateIn) -> Status[KeyDateOut]:
    customer = customer_or_404(personal_user(request), payload.customer)
    data = payload.model_dump()
    return Status(201, key_date_out(_save(KeyDate(customer=customer), data)))


@router.patch(
    "/key-dates/{key_date_id}",
    response=responses({200: KeyDateOut}, 400, 404, 409),
    summary="Change a key date",
    description="Send only what changes. 409 when the change, with what is stored, makes a date "
    "that does not exist (`day` 31 on a date in April) or an other date without a `label`.",
)
def update_key_date(request: HttpRequest, key_date_id: int, payload: KeyDatePatch) -> KeyDateOut:
    key_date = get_visible(
        KeyDate.objects.visible_to(personal_user(request)), key_date_id, "key date"
    )
    return key_date_out(_save(key_date, payload.model_dump(exclude_unset=True)))


@router.delete(
    "/key-dates/{key_date_id}", response=responses({204: None}, 404), summary="Delete a key date"
)
def delete_key_date(request: HttpRequest, key_date_id: int) -> Status[None]:
    get_visible(
        KeyDate.objects.visible_to(personal_user(request)), key_date_id, "key date"
    ).delete()
    return Status(204, None)
