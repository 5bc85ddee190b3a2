"""``/api/facts``: what makes every touch personal (a child's name, a hobby, a new job)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Status
from pydantic import BaseModel

from extramile.api.access import customer_or_404, get_visible, personal_user
from extramile.api.errors import responses
from extramile.api.idempotency import idempotent
from extramile.api.pages import Page, PageParams, check_query, paginate
from extramile.api.types import (
    NOT_BLANK,
    Day,
    Flag,
    Input,
    Int,
    QueryFlag,
    required_text,
    unchanged,
)
from extramile.book.models import Fact, FactCategory

router = Router(tags=["facts"])


class FactOut(BaseModel):
    id: int
    customer: int
    text: str
    category: FactCategory
    tags: list[str]
    learned_on: dt.date | None
    pinned: bool
    created_at: dt.datetime


class FactPage(Page[FactOut]):
    pass


class FactFilters(Input):
    customer: int | None = Field(None, ge=1, le=2**31 - 1)
    category: FactCategory | None = None
    tag: str = Field("", max_length=50)
    pinned: QueryFlag | None = None
    q: str = Field("", max_length=100, description="Part of the text.")


# Tags are stored together, joined by ", ", in 200 characters: 8 of 22 fit.
Tag = Annotated[str, Field(max_length=22)]
TAGS = "Up to 8 tags of up to 22 characters; an empty one is dropped."


class FactIn(Input):
    customer: Int = Field(ge=1, le=2**31 - 1)
    text: str = required_text(2000)
    category: FactCategory = FactCategory.OTHER
    tags: list[Tag] = Field([], max_length=8, description=TAGS)
    learned_on: Day | None = None
    pinned: Flag = False


class FactPatch(Input):
    text: str = unchanged(min_length=1, max_length=2000, pattern=NOT_BLANK)
    category: FactCategory = unchanged()
    tags: list[Tag] = unchanged(max_length=8, description=TAGS)
    learned_on: Day | None = None
    pinned: Flag = unchanged()


def fact_out(fact: Fact) -> FactOut:
    return FactOut(
        id=fact.pk,
        customer=fact.customer_id,
        text=fact.text,
        category=FactCategory(fact.category),
        tags=fact.tag_list,
        learned_on=fact.learned_on,
        pinned=fact.pinned,
        created_at=fact.created_at,
    )


def serialize(rows: Iterable[Fact]) -> list[FactOut]:
    return [fact_out(row) for row in rows]


def _save(fact: Fact, data: dict[str, Any]) -> Fact:
    for field in ("text", "category", "learned_on", "pinned"):
        if field in data and (data[field] is not None or field == "learned_on"):
            setattr(fact, field, data[field])
    if data.get("tags") is not None:
        # One tag each: a comma or a semicolon inside is not a separator here. A capital dotted
        # İ lower-cases to two characters ("i̇"); Turkish writes it "i", which keeps the length.
        fact.tags = ", ".join(
            tag.replace(",", " ").replace(";", " ").replace("\u0130", "i") for tag in data["tags"]
        )
    fact.full_clean()  # trims the text, normalises the tags
    fact.save()
    return fact


@router.get("/facts", response=responses({200: FactPage}), summary="List facts")
def list_facts(
    request: HttpRequest, filters: Query[FactFilters], page: Query[PageParams]
) -> dict[str, Any]:
    check_query(request, FactFilters)
    rows = Fact.objects.visible_to(personal_user(request)).order_by("-pinned", "-learned_on", "-id")
    if filters.customer is not None:
        rows = rows.filter(customer_id=filters.customer)
    if filters.category is not None:
        rows = rows.filter(category=filters.category)
    if filters.pinned is not None:
        rows = rows.filter(pinned=filters.pinned)
    if filters.tag.strip():
        rows = rows.filter(tags__icontains=filters.tag.strip().lower())
    if filters.q.strip():
        rows = rows.filter(text__icontains=filters.q.strip())
    return paginate(request, rows, page, serialize)


@router.get("/facts/{fact_id}", response=responses({200: FactOut}, 404), summary="Read a fact")
def get_fact(request: HttpRequest, fact_id: int) -> FactOut:
    return fact_out(get_visible(Fact.objects.visible_to(personal_user(request)), fact_id, "fact"))


@router.post("/facts", response=responses({201: FactOut}, 400, 404, 409), summary="Add a fact")
@idempotent
def create_fact(request: HttpRequest, payload: FactIn) -> Status[FactOut]:
    customer = customer_or_404(personal_user(request), payload.customer)
    return Status(201, fact_out(_save(Fact(customer=customer), payload.model_dump())))


@router.patch(
    "/facts/{fact_id}", response=responses({200: FactOut}, 400, 404), summary="Change a fact"
)
def update_fact(request: HttpRequest, fact_id: int, payload: FactPatch) -> FactOut:
    fact = get_visible(Fact.objects.visible_to(personal_user(request)), fact_id, "fact")
    return fact_out(_save(fact, payload.model_dump(exclude_unset=True)))


@router.delete("/facts/{fact_id}", response=responses({204: None}, 404), summary="Delete a fact")
def delete_fact(request: HttpRequest, fact_id: int) -> Status[None]:
    get_visible(Fact.objects.visible_to(personal_user(request)), fact_id, "fact").delete()
    return Status(204, None)
