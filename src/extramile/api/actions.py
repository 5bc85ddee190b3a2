"""``/api/actions``: Today's list for the token's user, and done / skip, with Today's rules.

``agenda.services`` decides: a value-adding extra (an article follow-up, a lunch, a surprise) is
done only with an answer to "How will this create more value for this customer?"; completing an
action runs its kind's completer (a promise marked met, a message marked replied) in the same
transaction; an action closed already answers 409.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router
from pydantic import BaseModel

from extramile import clock
from extramile.agenda import habits, services
from extramile.agenda.models import Action, ActionStatus
from extramile.api.access import get_visible, personal_user
from extramile.api.errors import as_conflict, responses
from extramile.api.pages import Page, PageParams, check_query, paginate
from extramile.api.types import Input

router = Router(tags=["actions"])


class ActionOut(BaseModel):
    id: int
    # The kinds are the registered habits' (read once the apps are ready, as URLs are loaded).
    kind: str = Field(json_schema_extra={"enum": list[Any](sorted(habits.labels()))})
    title: str
    detail: str
    owner: str
    customer: int | None
    household: int | None
    due_on: dt.date = Field(description="The owner's local day it is due.")
    due_at: dt.datetime | None = Field(description="A deadline, for replies and service requests.")
    priority: int = Field(description="Today's order, lower first.")
    status: ActionStatus
    outcome: str
    needs_value_answer: bool = Field(
        description="Done only with an answer to “How will this create more value for this "
        "customer?”"
    )
    value_answer: str
    completed_at: dt.datetime | None


class ActionPage(Page[ActionOut]):
    pass


class CompleteIn(Input):
    outcome: str = Field("", max_length=2000, description="How it went.")
    value_answer: str = Field(
        "", max_length=2000, description="Needed for value-adding extras (needs_value_answer)."
    )


class SkipIn(Input):
    reason: str = Field("", max_length=2000)


def action_out(action: Action) -> ActionOut:
    return ActionOut(
        id=action.pk,
        kind=action.kind,
        title=action.title,
        detail=action.detail,
        owner=action.owner.username,
        customer=action.customer_id,
        household=action.household_id,
        due_on=action.due_on,
        due_at=action.due_at,
        priority=action.priority,
        status=ActionStatus(action.status),
        outcome=action.outcome,
        needs_value_answer=habits.get(action.kind).value_adding,
        value_answer=action.value_answer,
        completed_at=action.completed_at,
    )


def serialize(rows: Iterable[Action]) -> list[ActionOut]:
    return [action_out(row) for row in rows]


@router.get(
    "/actions/today",
    response=responses({200: ActionPage}),
    summary="Today's actions",
    description="Your agenda for your local today, as on the Today page: pending work due by "
    "today, most important first (service requests, replies owed, overdue promises, …).",
)
def today(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    check_query(request)
    user = personal_user(request)
    agenda = services.today(user, now=clock.now()).select_related("owner")
    return paginate(request, agenda, page, serialize)


def _action(request: HttpRequest, action_id: int) -> Action:
    user = personal_user(request)
    actions = Action.objects.visible_to(user).select_related("owner", "customer")
    return get_visible(actions, action_id, "action")


@router.get(
    "/actions/{action_id}", response=responses({200: ActionOut}, 404), summary="Read an action"
)
def get_action(request: HttpRequest, action_id: int) -> ActionOut:
    return action_out(_action(request, action_id))


@router.post(
    "/actions/{action_id}/complete",
    response=responses({200: ActionOut}, 400, 404, 409),
    summary="Mark an action done",
    description="409 when the action was closed already; when it is a value-adding extra "
    "(`needs_value_answer`) and `value_answer` is empty; or when it is done elsewhere (a service "
    "request is closed by resolving it).",
)
def complete(request: HttpRequest, action_id: int, payload: CompleteIn) -> ActionOut:
    action = _action(request, action_id)
    with as_conflict():  # the rules are the action's kind's: what is stored decides
        done = services.complete(
            action, clock.now(), payload.outcome, value_answer=payload.value_answer
        )
    return action_out(done)


@router.post(
    "/actions/{action_id}/skip",
    response=responses({200: ActionOut}, 400, 404, 409),
    summary="Skip an action",
    description="409 when the action was closed already.",
)
def skip(request: HttpRequest, action_id: int, payload: SkipIn) -> ActionOut:
    action = _action(request, action_id)
    return action_out(services.skip(action, clock.now(), payload.reason))
