"""``/api/service-requests``: the service queue with its first-response and resolution clocks.

Every change goes through ``service.services`` (clocks, timeline, the action on Today)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Status
from ninja.errors import HttpError
from pydantic import BaseModel

from extramile import clock
from extramile.accounts.models import User
from extramile.api.access import customer_or_404, get_visible, personal_user, user_by_name
from extramile.api.errors import as_conflict, responses
from extramile.api.idempotency import idempotent
from extramile.api.pages import Page, PageParams, check_query, paginate
from extramile.api.types import Flag, Input, Int, QueryFlag, required_text
from extramile.service import filters as service_filters
from extramile.service import services
from extramile.service.models import Priority, ServiceRequest
from extramile.service.models import Status as ServiceStatus

router = Router(tags=["service requests"])


class RequestStatus(StrEnum):
    """``service.Status`` under its own name in the OpenAPI schema (customers have a status too)."""

    NEW = "new"
    OPEN = "open"
    WAITING = "waiting"
    RESOLVED = "resolved"


assert {s.value for s in RequestStatus} == set(ServiceStatus.values)


class ServiceRequestOut(BaseModel):
    id: int
    customer: int
    subject: str
    details: str
    priority: Priority
    status: RequestStatus
    went_wrong: bool
    assignee: str = Field(description="Username of who handles it.")
    opened_at: dt.datetime
    first_response_at: dt.datetime | None
    first_response_due_at: dt.datetime
    resolve_due_at: dt.datetime
    due_at: dt.datetime | None = Field(description="The next deadline still ticking.")
    breaching: bool = Field(description="A clock is past its deadline.")
    resolved_at: dt.datetime | None
    resolution: str


class ServiceRequestPage(Page[ServiceRequestOut]):
    pass


class ServiceRequestFilters(Input):
    customer: int | None = Field(None, ge=1, le=2**31 - 1)
    status: RequestStatus | None = None
    priority: Priority | None = None
    open: QueryFlag | None = Field(None, description="true: new, open or waiting; false: resolved.")
    assignee: str | None = Field(None, max_length=150, description="The assignee's username.")


class ServiceRequestIn(Input):
    customer: Int = Field(ge=1, le=2**31 - 1)
    subject: str = required_text(200)
    details: str = Field("", max_length=10_000)
    priority: Priority = Priority.NORMAL
    went_wrong: Flag = Field(False, description="We let the customer down.")
    assignee: str | None = Field(
        None, max_length=254, description="Username or e-mail; default: the customer's rep."
    )


class RespondIn(Input):
    text: str = Field("", max_length=10_000, description="What was said.")


class ResolveIn(Input):
    resolution: str = required_text(10_000)
    story: str = Field(
        "", max_length=10_000, description="Needed when something went wrong: what you did."
    )


def serialize(rows: Iterable[ServiceRequest], now: dt.datetime) -> list[ServiceRequestOut]:
    return [
        ServiceRequestOut(
            id=r.pk,
            customer=r.customer_id,
            subject=r.subject,
            details=r.details,
            priority=Priority(r.priority),
            status=RequestStatus(r.status),
            went_wrong=r.went_wrong,
            assignee=r.assignee.username,
            opened_at=r.opened_at,
            first_response_at=r.first_response_at,
            first_response_due_at=r.first_response_due_at,
            resolve_due_at=r.resolve_due_at,
            due_at=r.due_at,
            breaching=r.breaching(now),
            resolved_at=r.resolved_at,
            resolution=r.resolution,
        )
        for r in rows
    ]


def _visible(user: User) -> Any:
    return ServiceRequest.objects.visible_to(user).select_related("assignee")


def _assignee(user: User, text: str) -> User:
    found = user_by_name(user, text)
    if found is None:
        raise HttpError(404, f"There is no user “{text}” you can assign to (assignee).")
    return found


@router.get(
    "/service-requests",
    response=responses({200: ServiceRequestPage}),
    summary="List service requests",
    description="Most urgent first: the next deadline, then when opened.",
)
def list_requests(
    request: HttpRequest, filters: Query[ServiceRequestFilters], page: Query[PageParams]
) -> dict[str, Any]:
    check_query(request, ServiceRequestFilters)
    user = personal_user(request)
    rows = service_filters.filtered(
        _visible(user),
        customer=filters.customer,
        status=filters.status,
        priority=filters.priority,
        open=filters.open,
        assignee=filters.assignee,
    )
    now = clock.now()
    return paginate(request, rows, page, lambda found: serialize(found, now))


@router.get(
    "/service-requests/{request_id}",
    response=responses({200: ServiceRequestOut}, 404),
    summary="Read a service request",
)
def get_request(request: HttpRequest, request_id: int) -> ServiceRequestOut:
    found = get_visible(_visible(personal_user(request)), request_id, "service request")
    return serialize([found], clock.now())[0]


@router.post(
    "/service-requests",
    response=responses({201: ServiceRequestOut}, 400, 404, 409),
    summary="Open a service request",
    description="Starts both clocks and puts it at the top of the assignee's Today. 404 when "
    "the customer or the `assignee` is not one you can see; 409 when the assignee cannot see "
    "the customer.",
)
@idempotent
def open_request(request: HttpRequest, payload: ServiceRequestIn) -> Status[ServiceRequestOut]:
    user = personal_user(request)
    customer = customer_or_404(user, payload.customer)
    now = clock.now()
    assignee = _assignee(user, payload.assignee) if payload.assignee else None
    with as_conflict():
        opened = services.open_request(
            customer=customer,
            subject=payload.subject,
            opened_by=user,
            now=now,
            details=payload.details,
            priority=payload.priority,
            went_wrong=payload.went_wrong,
            assignee=assignee,
        )
    return Status(201, serialize([opened], now)[0])


@router.post(
    "/service-requests/{request_id}/respond",
    response=responses({200: ServiceRequestOut}, 400, 404, 409),
    summary="Record the first response",
    description="409 when the request is resolved, or its first response was recorded already.",
)
def respond(request: HttpRequest, request_id: int, payload: RespondIn) -> ServiceRequestOut:
    user = personal_user(request)
    found = get_visible(_visible(user), request_id, "service request")
    now = clock.now()
    with as_conflict():
        responded = services.respond(found, user, now, payload.text)
    return serialize([responded], now)[0]


@router.post(
    "/service-requests/{request_id}/resolve",
    response=responses({200: ServiceRequestOut}, 400, 404, 409),
    summary="Resolve a service request",
    description="409 when it was resolved already, or when something went wrong on it "
    "(`went_wrong`) and the `story` is missing.",
)
def resolve(request: HttpRequest, request_id: int, payload: ResolveIn) -> ServiceRequestOut:
    user = personal_user(request)
    found = get_visible(_visible(user), request_id, "service request")
    now = clock.now()
    with as_conflict():
        resolved = services.resolve(found, user, now, payload.resolution, payload.story)
    return serialize([resolved], now)[0]
