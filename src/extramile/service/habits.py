"""The service request's habit: an open request sits above everything else on Today."""

from __future__ import annotations

from typing import Any

from extramile.agenda.habits import Habit, Key
from extramile.agenda.models import Priority


def attach_requests(actions: list[Any]) -> None:
    """``action.service_request`` for a page of service actions, in one query (None when the
    request is gone)."""
    from extramile.service.models import ServiceRequest  # the models build keys with SERVICE

    ids = SERVICE.key.ids(action.key for action in actions)
    found = ServiceRequest.objects.select_related("assignee").in_bulk(list(ids.values()))
    for action in actions:
        pk = ids.get(action.key)
        action.service_request = found.get(pk) if pk is not None else None


SERVICE = Habit(
    kind="service",
    label="Service request",
    priority=Priority.SERVICE,
    key=Key("service"),  # service:<request>
    has_row=True,
    own_deadline=True,
    in_calendar=False,  # the feed shows the request's deadline itself
    prefetch=attach_requests,
)
HABITS = (SERVICE,)
