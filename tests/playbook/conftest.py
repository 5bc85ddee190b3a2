"""Helpers for the playbook's tests: opportunities made directly, closed or open, with moves."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from extramile.book.models import Customer
from extramile.playbook.models import CLOSED_STAGES, MoveCheck, Opportunity, Stage
from tests.conftest import NOW


def make_opportunity(
    customer: Customer,
    stage: str = Stage.LEAD,
    closed_on: dt.date | None = None,
    moves: dict[str, str] | None = None,
    title: str = "New car",
    **extra,
) -> Opportunity:
    if stage in CLOSED_STAGES and closed_on is None:
        closed_on = NOW.date() - dt.timedelta(days=10)
    opportunity = Opportunity.objects.create(
        customer=customer,
        owner_id=customer.owner_id,
        title=title,
        stage=stage,
        value=extra.pop("value", Decimal("1000")),
        closed_on=closed_on,
        created_at=NOW,
        updated_at=NOW,
        **extra,
    )
    for move, used in (moves or {}).items():
        MoveCheck.objects.create(opportunity=opportunity, move=move, used=used, updated_at=NOW)
    return opportunity
