"""Expectations first: while a customer has an overdue, unmet promise, the extras for that customer
(an article, a lunch, a surprise) are held back and the agenda says why.

The one place for the rule: planners exclude ``held_back(day)`` from their candidates with a
subquery (set-based), and pages ask ``hold_back_reason(customer, day)`` for the sentence to show.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from extramile.book.models import Customer, Promise


def overdue_promises(day: dt.date) -> QuerySet[Promise]:
    """Unmet promises and expectations whose due day is before ``day``."""
    return Promise.objects.filter(met_at__isnull=True, due_on__lt=day)


def held_back(day: dt.date) -> QuerySet[Promise, Any]:
    """The ids of customers whose extras are held back on ``day``, as a subquery:
    ``customers.exclude(pk__in=held_back(day))``."""
    return overdue_promises(day).values("customer_id")


def hold_back_reason(customer: Customer, day: dt.date) -> str:
    """Why extras for ``customer`` wait (blank when they do not)."""
    promise = overdue_promises(day).filter(customer=customer).order_by("due_on", "id").first()
    if promise is None:
        return ""
    return (
        f"Held back: the promise “{promise.description}” was due {promise.due_on:%a %d %b}. "
        "Meet it first; extras come after."
    )
