"""``/api/stories``: extra-mile stories. A team story is seen by the whole company; a private one
by its author only, here as everywhere (``culture.services.visible_stories``). A story's customer
is given only to those who may see that customer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Status
from ninja.errors import HttpError
from pydantic import BaseModel

from extramile import clock
from extramile.accounts.models import User
from extramile.api.access import get_visible, personal_user
from extramile.api.errors import as_conflict, responses
from extramile.api.idempotency import idempotent
from extramile.api.pages import Page, PageParams, check_query, paginate
from extramile.api.types import NOT_BLANK, Day, Input, Int, required_text, unchanged
from extramile.book.models import Customer
from extramile.culture import services
from extramile.culture.models import Story, Visibility

router = Router(tags=["stories"])


class StoryOut(BaseModel):
    id: int
    author: str
    date: dt.date
    situation: str
    what_done: str
    reaction: str
    lesson: str
    visibility: Visibility
    customer: int | None = Field(description="Null also when the customer is not yours to see.")
    coworker: str | None
    kudos: int
    created_at: dt.datetime
    updated_at: dt.datetime


class StoryPage(Page[StoryOut]):
    pass


class StoryFilters(Input):
    author: str | None = Field(None, max_length=150, description="The author's username.")
    customer: int | None = Field(None, ge=1, le=2**31 - 1)
    visibility: Visibility | None = None


class StoryIn(Input):
    what_done: str = required_text(5000, description="What was done: the story.")
    date: Day | None = Field(None, description="When it happened; default today.")
    situation: str = Field("", max_length=5000)
    reaction: str = Field("", max_length=5000)
    lesson: str = Field("", max_length=5000)
    visibility: Visibility = Visibility.TEAM
    customer: Int | None = Field(None, ge=1, le=2**31 - 1)
    coworker: str | None = Field(
        None, max_length=150, description="A co-worker's username (not yours); empty: none."
    )


class StoryPatch(Input):
    what_done: str = unchanged(min_length=1, max_length=5000, pattern=NOT_BLANK)
    date: Day = unchanged()
    situation: str = unchanged(max_length=5000)
    reaction: str = unchanged(max_length=5000)
    lesson: str = unchanged(max_length=5000)
    visibility: Visibility = unchanged()
    customer: Int | None = Field(None, ge=1, le=2**31 - 1)
    coworker: str | None = Field(None, max_length=150)


def serialize(rows: Iterable[Story], user: User) -> list[StoryOut]:
    rows = list(rows)
    ids = {s.customer_id for s in rows if s.customer_id is not None}
    seen = set(Customer.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    return [
        StoryOut(
            id=s.pk,
            author=s.author.username,
            date=s.date,
            situation=s.situation,
            what_done=s.what_done,
            reaction=s.reaction,
            lesson=s.lesson,
            visibility=Visibility(s.visibility),
            customer=s.customer_id if s.customer_id in seen else None,
            coworker=s.coworker.username if s.coworker else None,
            kudos=getattr(s, "kudos_count", None) or s.kudos.count(),
            created_at=s.created_at,
            updated_at=s.updated_at,
        )
        for s in rows
    ]


def _stories(user: User) -> QuerySet[Story]:
    return services.with_kudos_count(Story.objects.visible_to(user)).select_related(
        "author", "coworker"
    )


def _coworker(text: str | None) -> User | None:
    if not text or not text.strip():
        return None
    found = User.objects.filter(username=text.strip(), is_active=True).first()
    if found is None:
        raise HttpError(404, f"There is no co-worker “{text}” (coworker).")
    return found


def _customer(user: User, pk: int | None) -> Any:
    if pk is None:
        return None
    return get_visible(Customer.objects.visible_to(user), pk, "customer")


@router.get("/stories", response=responses({200: StoryPage}), summary="List stories")
def list_stories(
    request: HttpRequest, filters: Query[StoryFilters], page: Query[PageParams]
) -> dict[str, Any]:
    check_query(request, StoryFilters)
    user = personal_user(request)
    rows = _stories(user).order_by("-date", "-id")
    if filters.author:
        rows = rows.filter(author__username=filters.author.strip())
    if filters.customer is not None:
        rows = rows.filter(
            customer__in=Customer.objects.visible_to(user).filter(pk=filters.customer)
        )
    if filters.visibility is not None:
        rows = rows.filter(visibility=filters.visibility)
    return paginate(request, rows, page, lambda found: serialize(found, user))


@router.get("/stories/{story_id}", response=responses({200: StoryOut}, 404), summary="Read one")
def get_story(request: HttpRequest, story_id: int) -> StoryOut:
    user = personal_user(request)
    return serialize([get_visible(_stories(user), story_id, "story")], user)[0]


@router.post(
    "/stories",
    response=responses({201: StoryOut}, 400, 404, 409),
    summary="Write a story",
    description="404 when the `customer` or the `coworker` is not one you can see; 409 when "
    "the `date` is after your today, or you name yourself as the co-worker.",
)
@idempotent
def create_story(request: HttpRequest, payload: StoryIn) -> Status[StoryOut]:
    user = personal_user(request)
    customer, coworker = _customer(user, payload.customer), _coworker(payload.coworker)
    with as_conflict():
        story = services.save_story(
            user,
            clock.now(),
            what_done=payload.what_done,
            date=payload.date,
            situation=payload.situation,
            reaction=payload.reaction,
            lesson=payload.lesson,
            visibility=payload.visibility,
            customer=customer,
            coworker=coworker,
        )
    return Status(201, serialize([_stories(user).get(pk=story.pk)], user)[0])


@router.patch(
    "/stories/{story_id}",
    response=responses({200: StoryOut}, 400, 404, 409),
    summary="Change your story",
    description="Only its author may change a story (403 for a colleague's team story). 404 "
    "when the `customer` or the `coworker` is not one you can see; 409 when the `date` is after "
    "your today, or you name yourself as the co-worker.",
)
def update_story(request: HttpRequest, story_id: int, payload: StoryPatch) -> StoryOut:
    user = personal_user(request)
    story = get_visible(_stories(user), story_id, "story")
    if story.author_id != user.pk:
        raise HttpError(403, "Only its author can change a story.")
    data = payload.model_dump(exclude_unset=True)
    customer = _customer(user, data["customer"]) if "customer" in data else story.customer
    coworker = _coworker(data["coworker"]) if "coworker" in data else story.coworker
    with as_conflict():
        saved = services.save_story(
            user,
            clock.now(),
            what_done=data.get("what_done") or story.what_done,
            date=data.get("date") or story.date,
            situation=story.situation if data.get("situation") is None else data["situation"],
            reaction=story.reaction if data.get("reaction") is None else data["reaction"],
            lesson=story.lesson if data.get("lesson") is None else data["lesson"],
            visibility=data.get("visibility") or story.visibility,
            customer=customer,
            coworker=coworker,
            story=story,
        )
    return serialize([_stories(user).get(pk=saved.pk)], user)[0]
