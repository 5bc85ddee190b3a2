"""The live part of a service request's row on Today: its priority and the clock right now."""

from __future__ import annotations

from typing import Any

from django import template

from extramile import clock
from extramile.agenda.models import Action
from extramile.service.clocks import format_minutes
from extramile.service.models import ServiceRequest
from extramile.service.services import clock_view

register = template.Library()


@register.simple_tag
def service_row(action: Action) -> dict[str, Any] | None:
    """``{% service_row action as row %}``: the request behind a service action (its key is
    ``service:<id>``) and its clock at this moment; None when the request is gone."""
    try:
        pk = int(action.key.split(":", 1)[1])
    except (IndexError, ValueError):
        return None
    request = ServiceRequest.objects.select_related("assignee").filter(pk=pk).first()
    if request is None:
        return None
    return {"request": request, "clock": clock_view(request, clock.now())}


@register.filter
def business_time(minutes: float) -> str:
    """``{{ 90|business_time }}`` → “1 h 30 min”."""
    return format_minutes(minutes)
