"""``/api/promises``: what we promised and what the customer expects, met before any extra."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Status
from ninja.errors import HttpError
from pydantic import BaseModel

from extramile import clock
from extramile.api.access import customer_or_404, get_visible, personal_user
from extramile.api.errors import responses
from extramile.api.idempotency import idempotent
from extramile.api.pages import Page, PageParams, check_query, paginate
from extramile.api.types import Day, Input, Int, QueryFlag, required_text
from extramile.book.models import Promise, PromiseKind
from extramile.book.services import mark_promise_met

router = Router(tags=["promises"])


class PromiseOut(BaseModel):
    id: int
    customer: int
    kind: PromiseKind
    description: str
    due_on: dt.date
    met_at: dt.datetime | None
    overdue: bool = Field(description="Unmet and due before your today.")
    created_by: str | None
    created_at: dt.datetime


class PromisePage(Page[PromiseOut]):
    pass


class PromiseFilters(Input):
    customer: int | None = Field(None, ge=1, le=2**31 - 1)
    met: QueryFlag | None = Field(None, description="true: met ones; false: those still owed.")
    overdue: QueryFlag | None = Field(None, description="true: unmet and past due.")


class PromiseIn(Input):
    customer: Int = Field(ge=1, le=2**31 - 1)
    kind: PromiseKind = PromiseKind.PROMISE
    description: str = required_text(300)
    due_on: Day


def serialize(rows: Iterable[Promise], today: dt.date) -> list[PromiseOut]:
    return [
        PromiseOut(
            id=p.pk,
            customer=p.customer_id,
            kind=PromiseKind(p.kind),
            description=p.description,
            due_on=p.due_on,
            met_at=p.met_at,
            overdue=p.is_overdue(today),
            created_by=p.created_by.username if p.created_by else None,
            created_at=p.created_at,
        )
        for p in rows
    ]


@router.get("/promises", response=responses({200: PromisePage}), summary="List promises")
def list_promises(
    request: HttpRequest, filters: Query[PromiseFilters], page: Query[PageParams]
) -> dict[str, Any]:
    check_query(request, PromiseFilters)
    user = personal_user(request)
    today = user.local_date(clock.now())
    rows = (
        Promise.objects.visible_to(user)
        .select_related("created_by")
        .order_by("met_at", "due_on", "id")
    )
    if filters.customer is not None:
        rows = rows.filter(customer_id=filters.customer)
    if filters.met is not None:
        rows = rows.filter(met_at__isnull=not filters.met)
    if filters.overdue is True:
        rows = rows.filter(met_at__isnull=True, due_on__lt=today)
    elif filters.overdue is False:
        rows = rows.exclude(met_at__isnull=True, due_on__lt=today)
    return paginate(request, rows, page, lambda found: serialize(found, today))


@router.get(
    "/promises/{promise_id}", response=responses({200: PromiseOut}, 404), summary="Read a promise"
)
def get_promise(request: HttpRequest, promise_id: int) -> PromiseOut:
    user = personal_user(request)
    promise = get_visible(
        Promise.objects.visible_to(user).select_related("created_by"), promise_id, "promise"
    )
    return serialize([promise], user.local_date(clock.now()))[0]


@router.post(
    "/promises", response=responses({201: PromiseOut}, 400, 404, 409), summary="Add a promise"
)
@idempotent
def create_promise(request: HttpRequest, payload: PromiseIn) -> Status[PromiseOut]:
    user = personal_user(request)
    promise = Promise(
        customer=customer_or_404(user, payload.customer),
        kind=payload.kind,
        description=" ".join(payload.description.split()),
        due_on=payload.due_on,
        created_by=user,
    )
    promise.full_clean()
    promise.save()
    return Status(201, serialize([promise], user.local_date(clock.now()))[0])


@router.post(
    "/promises/{promise_id}/met",
    response=responses({200: PromiseOut}, 404, 409),
    summary="Mark a promise met",
    description="Also closes its action on Today. 409 when it was met already.",
)
def promise_met(request: HttpRequest, promise_id: int) -> PromiseOut:
    user = personal_user(request)
    promise = get_visible(
        Promise.objects.visible_to(user).select_related("created_by"), promise_id, "promise"
    )
    if promise.met_at is not None:
        raise HttpError(409, f"This promise was met already, on {promise.met_at:%d %b %Y}.")
    now = clock.now()
    return serialize([mark_promise_met(promise, now)], user.local_date(now))[0]
