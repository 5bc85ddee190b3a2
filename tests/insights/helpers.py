"""Builders for the insights fixtures: sales, referrals, done actions, parent links."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from extramile.agenda.models import Action
from extramile.book.models import Customer, Referral, Relationship, Sale

_keys = itertools.count()


def sale(customer: Customer, on: dt.date, amount: str = "100") -> Sale:
    return Sale.objects.create(
        customer=customer, date=on, description="Car", amount=Decimal(amount)
    )


def refer(referrer: Customer, referred: Customer, on: dt.date, status: str = "none", amount=None):
    referral = Referral(referrer=referrer, referred=referred, date=on, reward_status=status)
    if amount is not None:
        referral.reward_amount = Decimal(amount)
    if status in {"owed", "paid"}:
        referral.sale = sale(referred, on)
    if status == "paid":
        referral.reward_paid_on = on
    referral.save()
    return referral


def done(customer: Customer, at: dt.datetime, count: int = 1, status: str = "done") -> None:
    for _ in range(count):
        Action.objects.create(
            key=f"test:{next(_keys)}",
            kind="call",
            owner=customer.owner,
            customer=customer,
            title="Call",
            due_on=at.date(),
            status=status,
            completed_at=at if status == "done" else None,
            created_at=at,
            updated_at=at,
        )


def parent_of(parent: Customer, child: Customer) -> None:
    Relationship.objects.create(from_customer=parent, to_customer=child, kind="parent")
