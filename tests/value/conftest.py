"""Helpers for the value tests: customers with sales, referrals and a start date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from extramile.accounts.models import User
from extramile.book.models import Customer, Referral, Sale
from tests.conftest import NOW, make_customer

TODAY = NOW.date()


def buyer(
    owner: User,
    name: str,
    sales: list[tuple[int, int]] = (),  # (days ago, amount)
    since_years: int | None = None,
    **extra,
) -> Customer:
    first, _, last = name.partition(" ")
    since = TODAY.replace(year=TODAY.year - since_years) if since_years is not None else None
    customer = make_customer(owner, first, last, customer_since=since, **extra)
    for days_ago, amount in sales:
        Sale.objects.create(
            customer=customer,
            date=TODAY - dt.timedelta(days=days_ago),
            description="A car",
            amount=Decimal(amount),
        )
    return customer


def refer(referrer: Customer, referred: Customer, bought: bool = False) -> Referral:
    sale = None
    if bought:
        sale = Sale.objects.create(
            customer=referred, date=TODAY - dt.timedelta(days=400), description="x", amount=1
        )
    return Referral.objects.create(referrer=referrer, referred=referred, date=TODAY, sale=sale)
