"""What a user does with their agenda: see today's list, complete, skip or snooze an action.

Plain functions taking ``now`` explicitly. Updates are optimistic (``filter(status=…).update()``),
so a double click or two tabs never complete an action twice.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy

from extramile import clock
from extramile.accounts.models import User
from extramile.agenda import habits
from extramile.agenda.actions import PENDING, close
from extramile.agenda.models import Action, ActionStatus
from extramile.agenda.planners import PROMISE
from extramile.agenda.registry import COMPLETERS, completer

# Priority first (see ``Priority``), then the earliest deadline, then the earliest due day.
TODAY_ORDER: list[str | OrderBy] = ["priority", F("due_at").asc(nulls_last=True), "due_on", "id"]


def today(
    user: User, day: dt.date | None = None, now: dt.datetime | None = None
) -> QuerySet[Action]:
    """The user's agenda for ``day`` (default: their local today): pending work due by then,
    most important first, then by due date."""
    if day is None:
        day = user.local_date(now or clock.now())
    return (
        Action.objects.filter(owner=user, status__in=PENDING, due_on__lte=day)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))
        .select_related("customer")
        .only(*ACTION_FIELDS, *CUSTOMER_FIELDS)
        .order_by(*TODAY_ORDER)
    )


# What an agenda row reads: the action, and of its customer the name (a customer row has some 40
# columns; building them all was a fifth of Today's time). Reading another customer field on a row
# costs a query per row: tests/web/test_today_page.py::test_today_runs_no_query_per_row.
ACTION_FIELDS = tuple(field.name for field in Action._meta.concrete_fields)
CUSTOMER_FIELDS = tuple(
    f"customer__{name}"
    for name in ("id", "owner", "first_name", "last_name", "company_name", "preferred_name")
)


class AlreadyClosed(ValidationError):
    pass


def _close(action: Action, status: str, now: dt.datetime, outcome: str) -> Action:
    if not close(action.key, now, status, outcome):
        action.refresh_from_db()
        raise AlreadyClosed(f"This action is already {action.get_status_display().lower()}.")
    action.refresh_from_db()
    return action


VALUE_QUESTION = "How will this create more value for this customer?"


def complete(action: Action, now: dt.datetime, outcome: str = "", value_answer: str = "") -> Action:
    """Mark an action done. A value-adding extra for a customer (an article follow-up, a lunch, a
    surprise) needs the answer to ``VALUE_QUESTION``, recorded with it; a surprise for a co-worker
    (no customer) does not ask it."""
    value_answer = value_answer.strip()
    if habits.get(action.kind).value_adding and action.customer_id and not value_answer:
        raise ValidationError(f"{VALUE_QUESTION} Write a line before marking it done.")
    with transaction.atomic():
        action = _close(action, ActionStatus.DONE, now, outcome.strip())
        if value_answer:
            Action.objects.filter(pk=action.pk).update(value_answer=value_answer)
            action.value_answer = value_answer
        finish = COMPLETERS.get(action.kind)
        if finish is not None:
            finish(action, now, outcome.strip())
    return action


@completer(PROMISE.kind)
def promise_met(action: Action, now: dt.datetime, outcome: str) -> None:
    from extramile.book.models import Promise
    from extramile.book.services import mark_promise_met

    pk = PROMISE.key.id(action.key)
    promise = Promise.objects.filter(pk=pk).first() if pk is not None else None
    if promise is not None:
        mark_promise_met(promise, now)


def skip(action: Action, now: dt.datetime, reason: str = "") -> Action:
    return _close(action, ActionStatus.SKIPPED, now, reason.strip())


def snooze(action: Action, now: dt.datetime, until: dt.date) -> Action:
    local_today = action.owner.local_date(now)
    if until <= local_today:
        raise ValidationError("Snooze until a day after today.")
    if until > local_today + dt.timedelta(days=366):
        raise ValidationError("Snooze for a year at most.")
    updated = Action.objects.filter(pk=action.pk, status__in=PENDING).update(
        status=ActionStatus.SNOOZED,
        due_on=until,
        expires_on=None,
        updated_at=now,
    )
    if not updated:
        raise AlreadyClosed("This action is already closed.")
    action.refresh_from_db()
    return action


def reopen(action: Action, now: dt.datetime) -> Action:
    """Undo a done/skip from the same day (the “undo” link on Today)."""
    Action.objects.filter(pk=action.pk).exclude(status__in=PENDING).update(
        status=ActionStatus.OPEN, outcome="", completed_at=None, updated_at=now
    )
    action.refresh_from_db()
    return action
