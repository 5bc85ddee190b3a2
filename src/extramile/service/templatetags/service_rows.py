"""The live part of a service request's row on Today: its priority and the clock right now."""

from __future__ import annotations

from typing import Any

from django import template

from extramile import clock
from extramile.agenda.models import Action
from extramile.service.clocks import format_minutes
from extramile.service.habits import attach_requests
from extramile.service.models import ServiceRequest
from extramile.service.services import clock_view

register = template.Library()


@register.simple_tag
def service_row(action: Action) -> dict[str, Any] | None:
    """``{% service_row action as row %}``: the request behind a service action and its clock at
    this moment; None when the request is gone. Today attaches the page's requests in one query
    (``habits.prefetch``); a row rendered alone fetches its own."""
    if not hasattr(action, "service_request"):
        attach_requests([action])
    request: ServiceRequest | None = getattr(action, "service_request", None)
    if request is None:
        return None
    return {"request": request, "clock": clock_view(request, clock.now())}


@register.filter
def business_time(minutes: float) -> str:
    """``{{ 90|business_time }}`` → “1 h 30 min”."""
    return format_minutes(minutes)
