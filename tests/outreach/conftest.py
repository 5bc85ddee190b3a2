"""Helpers for the calls tests: customers with a phone, a tier and a last contact."""

from __future__ import annotations

import datetime as dt
import itertools

from extramile.accounts.models import User
from extramile.book.models import Customer, PhoneNumber
from tests.conftest import NOW, make_customer

_serial = itertools.count(1)


def callable_customer(
    owner: User,
    name: str,
    *,
    tier: str = "C",
    days_ago: float | None = None,
    phone: bool = True,
    now: dt.datetime = NOW,
    **extra,
) -> Customer:
    """A customer the rotation may call: tier, last contact ``days_ago`` (None: never)."""
    first, _, last = name.partition(" ")
    last_contact = now - dt.timedelta(days=days_ago) if days_ago is not None else None
    customer = make_customer(owner, first, last, tier=tier, last_contact_at=last_contact, **extra)
    if phone:
        PhoneNumber.objects.create(
            customer=customer, number=f"+1202555{next(_serial):04d}", is_primary=True
        )
    return customer
