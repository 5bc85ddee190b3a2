"""``{% call_clock customer as clock %}``: a customer's tier, cadence, last contact and next call,
for the customer page's header."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import template

from extramile import clock
from extramile.accounts.models import Company
from extramile.agenda.models import Action
from extramile.agenda.services import PENDING
from extramile.book.models import Customer
from extramile.outreach.habits import CALL

register = template.Library()


@dataclass(frozen=True)
class CallClock:
    cadence_days: int
    due_on: dt.date
    overdue: bool
    planned_on: dt.date | None


@register.simple_tag
def call_clock(customer: Customer) -> CallClock:
    company = Company.get()
    cadence = company.cadence_days(customer.tier)
    zone = customer.owner.zone(company)
    if customer.last_contact_at is not None:
        start = customer.last_contact_at.astimezone(zone).date()
    else:
        start = customer.customer_since or customer.created_at.astimezone(zone).date()
    due_on = start + dt.timedelta(days=cadence)
    planned = (
        Action.objects.filter(customer=customer, kind=CALL.kind, status__in=PENDING)
        .order_by("due_on")
        .values_list("due_on", flat=True)
        .first()
    )
    today = clock.now().astimezone(zone).date()
    return CallClock(cadence, due_on, due_on <= today, planned)
