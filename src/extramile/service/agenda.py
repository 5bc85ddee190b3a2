"""How service requests meet the agenda.

The request's own functions (``services.py``) keep its action in step on every change. Two hooks
complete the picture:

- a nightly planner refreshes the wording of every open request's action, so a target breached
  overnight says so in the row's detail (the row also shows the live clock, see
  ``templatetags/service_rows.py``);
- Done on Today must never resolve a request silently, without a resolution: the service row has
  no Done button, and the completer refuses a Done posted anyway (it raises inside the agenda's
  transaction, which rolls the action back to open).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from extramile.accounts.models import Company, User
from extramile.agenda.models import Action
from extramile.agenda.registry import ActionSpec, completer, planner
from extramile.business_hours import BusinessHours, for_user
from extramile.service.habits import SERVICE
from extramile.service.models import ServiceRequest
from extramile.service.services import action_spec


@planner("service")
def open_requests(day: dt.date, now: dt.datetime, owners: QuerySet[User]) -> Iterator[ActionSpec]:
    company = Company.get()
    requests = (
        ServiceRequest.objects.pending()
        .filter(assignee__in=owners)
        .select_related("customer", "assignee")
        .order_by("assignee_id", "id")
        .iterator(chunk_size=2000)
    )
    calendars: dict[int, BusinessHours] = {}
    for request in requests:
        hours = calendars.get(request.assignee_id)
        if hours is None:
            hours = calendars[request.assignee_id] = for_user(request.assignee, company)
        yield action_spec(request, hours, now)


@completer(SERVICE.kind)
def refuse_done(action: Action, now: dt.datetime, outcome: str) -> None:
    raise ValidationError(
        "A service request is closed by resolving it, with what was done: open it and use Resolve."
    )
