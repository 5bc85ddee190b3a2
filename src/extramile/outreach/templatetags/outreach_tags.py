"""``{% call_clock customer as clock %}``: a customer's tier, cadence, last contact and next call,
for the customer page's header (the rule is ``outreach.rotation.call_due``)."""

from __future__ import annotations

from django import template

from extramile import clock
from extramile.accounts.models import Company
from extramile.book.models import Customer
from extramile.outreach.rotation import CallDue, call_due

register = template.Library()


@register.simple_tag
def call_clock(customer: Customer) -> CallDue:
    return call_due(customer, Company.get(), clock.now())
