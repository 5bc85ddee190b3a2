"""Rollups: figures that need a scan of whole books, counted per owner once a day and kept.

A page for an admin over a million customers cannot count them on every view. Figures that
change slowly (how much of a book is within its call cadence, how many customers bought twice)
are counted per owner by a registered function, stored in ``OwnerRollup`` and read back by any
scope as the sum of its owners' rows. The nightly plan job of each time zone counts its owners'
rollups once Today is planned (``runtime.tasks.plan_zone``); a page that finds an owner's rollup missing or older than the rollup's
``max_age`` counts that owner at once and stores it, so the figures are never older than that.

A rollup's function takes ``(owner_ids, now)`` and returns JSON-able data per owner id; an owner
missing from its answer is stored with ``{}`` (nothing to count is also an answer).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from extramile.rollups.models import OwnerRollup, ScopeRollup

Compute = Callable[[list[int], dt.datetime], dict[int, Any]]


@dataclass(frozen=True)
class Rollup:
    name: str
    compute: Compute
    max_age: dt.timedelta


ROLLUPS: dict[str, Rollup] = {}
# Rollups kept in their own tables (``team.days``): counted with the others by ``refresh_all``.
Keep = Callable[[list[int], dt.datetime], object]
KEEPERS: dict[str, Keep] = {}
DAY = dt.timedelta(hours=24)


def rollup(name: str, max_age: dt.timedelta = DAY) -> Callable[[Compute], Compute]:
    """Register ``compute`` as the rollup ``name``."""

    def register(function: Compute) -> Compute:
        known = ROLLUPS.get(name)
        if known is not None and known.compute is not function:
            raise ValueError(f"A rollup named {name!r} is registered already.")
        ROLLUPS[name] = Rollup(name, function, max_age)
        return function

    return register


def keeper(name: str) -> Callable[[Keep], Keep]:
    """Register ``function(owner_ids, now)``, which keeps figures in its own tables, to be run
    by ``refresh_all`` (the nightly plan) with the rollups."""

    def register(function: Keep) -> Keep:
        known = KEEPERS.get(name)
        if known is not None and known is not function:
            raise ValueError(f"A keeper named {name!r} is registered already.")
        KEEPERS[name] = function
        return function

    return register


@dataclass(frozen=True)
class Read:
    data: dict[int, Any]  # owner id → what the rollup counted for them
    as_of: dt.datetime | None  # the oldest count among them (None: no owners)


def read(name: str, owner_ids: Iterable[int], now: dt.datetime) -> Read:
    """``name``'s figures for ``owner_ids``: kept ones counted in the last ``max_age`` before
    ``now``, the rest counted now (and kept)."""
    found = ROLLUPS[name]
    wanted = set(owner_ids)
    rows = OwnerRollup.objects.filter(
        name=name,
        owner_id__in=wanted,
        computed_at__gt=now - found.max_age,
        computed_at__lte=now,
    ).values_list("owner_id", "computed_at", "data")
    data: dict[int, Any] = {}
    times: list[dt.datetime] = []
    for owner_id, computed_at, payload in rows:
        data[owner_id] = payload
        times.append(computed_at)
    missing = sorted(wanted - data.keys())
    if missing:
        data.update(refresh(found, missing, now))
        times.append(now)
    return Read(data, min(times) if times else None)


def refresh(found: Rollup, owner_ids: list[int], now: dt.datetime) -> dict[int, Any]:
    """Count ``found`` for ``owner_ids`` at ``now`` and keep it; return what was counted."""
    counted = found.compute(owner_ids, now)
    data = {owner_id: counted.get(owner_id, {}) for owner_id in owner_ids}
    with transaction.atomic():
        OwnerRollup.objects.bulk_create(
            [
                OwnerRollup(owner_id=owner_id, name=found.name, computed_at=now, data=payload)
                for owner_id, payload in data.items()
            ],
            update_conflicts=True,
            unique_fields=["owner", "name"],
            update_fields=["computed_at", "data"],
        )
    return data


def refresh_all(owner_ids: list[int], now: dt.datetime) -> int:
    """Every registered rollup for ``owner_ids``, then every keeper; returns the rollup rows
    written."""
    for found in ROLLUPS.values():
        refresh(found, owner_ids, now)
    for keep in KEEPERS.values():
        keep(owner_ids, now)
    return len(owner_ids) * len(ROLLUPS)


def read_scope(
    name: str, scope: str, now: dt.datetime, compute: Callable[[], Any], max_age: dt.timedelta = DAY
) -> tuple[Any, dt.datetime]:
    """Figures that do not add up per owner (a family spans books), kept per scope: the kept
    ``name`` for ``scope`` counted in the last ``max_age`` before ``now``, else ``compute()``
    counted now and kept. Returns the figures and when they were counted."""
    kept = (
        ScopeRollup.objects.filter(
            name=name, scope=scope, computed_at__gt=now - max_age, computed_at__lte=now
        )
        .values_list("data", "computed_at")
        .first()
    )
    if kept is not None:
        return kept
    data = compute()
    ScopeRollup.objects.bulk_create(
        [ScopeRollup(name=name, scope=scope, computed_at=now, data=data)],
        update_conflicts=True,
        unique_fields=["name", "scope"],
        update_fields=["computed_at", "data"],
    )
    return data, now
