"""The demo's orchestration: the customer book (``book.demo``), then every feature's registered
demo data (``agenda.habits.demo``) in its order, all in one transaction."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction

from extramile import clock
from extramile.agenda.habits import demos
from extramile.book.demo import DEFAULT_PASSWORD, DemoResult, create_book
from extramile.runtime.history import make_history, sync_last_contacts

__all__ = ["DEFAULT_PASSWORD", "DemoResult", "create_demo"]


def create_demo(
    customers: int = 2000,
    reps: int = 4,
    seed: int = 42,
    password: str = DEFAULT_PASSWORD,
    now: dt.datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> DemoResult:
    """Create the demo company, its book and each feature's demo data: all of it or nothing.
    Thank-you notes for the demo's recent sales, article mailings and the week's surprise come
    from the first plan."""
    now = now or clock.now()
    with transaction.atomic():
        result = create_book(customers, reps, seed, password, now, progress)
        # The year behind Insights' "does the extra mile pay?", from a stated model (history.py).
        history = make_history(now, random.Random(seed + 100), result.company.zone)
        result.history_touches, result.sales = history.touches, result.sales + history.sales
        result.referrals += history.referrals
        for each in demos():
            result.extras[each.name] = each.populate(now, random.Random(seed + each.order))
        sync_last_contacts()
    return result
