"""The nightly plan counts every rollup afresh for the owners it plans for."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from extramile.accounts.models import User
from extramile.agenda.registry import preparer
from extramile.rollups.store import refresh_all


@preparer("rollups")
def prepare_rollups(day: dt.date, now: dt.datetime, owners: QuerySet[User]) -> int:
    return refresh_all(list(owners.values_list("pk", flat=True)), now)
