"""The planning engine: run every planner for a day and upsert what they yield, in bulk.

Re-running a plan never duplicates work: each action has a unique key, and an action that exists
already keeps its status (done stays done) while its wording and priority are refreshed.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice

from django.db import transaction
from django.db.models import QuerySet

from extramile.accounts.models import User
from extramile.agenda.actions import PENDING, put_many
from extramile.agenda.models import Action, ActionStatus
from extramile.agenda.registry import PLANNERS, PREPARERS, ActionSpec

log = logging.getLogger(__name__)

BATCH = 2000


@dataclass
class PlanSummary:
    day: dt.date
    planned: dict[str, int] = field(default_factory=dict)
    prepared: dict[str, int] = field(default_factory=dict)
    created: int = 0
    missed: int = 0

    @property
    def total(self) -> int:
        return sum(self.planned.values())

    def as_dict(self) -> dict[str, object]:
        return {
            "day": self.day.isoformat(),
            "planned": self.planned,
            "prepared": self.prepared,
            "total": self.total,
            "created": self.created,
            "missed": self.missed,
        }


def batches(items: Iterable[ActionSpec], size: int) -> Iterable[list[ActionSpec]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def zones(owners: QuerySet[User]) -> dict[str, list[int]]:
    """Owner ids grouped by their time zone (blank means the company's)."""
    from extramile.accounts.models import Company

    default = Company.get().time_zone
    grouped: dict[str, list[int]] = {}
    for pk, zone in owners.values_list("pk", "time_zone"):
        grouped.setdefault(zone or default, []).append(pk)
    return grouped


def plan_local_today(now: dt.datetime, owners: QuerySet[User] | None = None) -> list[PlanSummary]:
    """Plan each owner's own local today: users east of the date line may already be tomorrow."""
    owners = owners if owners is not None else User.objects.filter(is_active=True)
    summaries = []
    for zone, ids in sorted(zones(owners).items()):
        day = now.astimezone(zoneinfo.ZoneInfo(zone)).date()
        summaries.append(plan(day, now, User.objects.filter(pk__in=ids)))
    return summaries


def expire(day: dt.date, now: dt.datetime, owners: QuerySet[User]) -> int:
    """Close open actions whose window has passed as “missed”, so they stop weighing on Today
    and show in the figures as work that fell through the cracks."""
    return Action.objects.filter(owner__in=owners, status__in=PENDING, expires_on__lt=day).update(
        status=ActionStatus.MISSED, updated_at=now
    )


def plan(
    day: dt.date,
    now: dt.datetime,
    owners: QuerySet[User] | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> PlanSummary:
    """Plan ``day`` for ``owners`` (default: every active user). Idempotent."""
    owners = owners if owners is not None else User.objects.filter(is_active=True)
    summary = PlanSummary(day=day)
    for name, prepare in PREPARERS.items():
        summary.prepared[name] = prepare(day, now, owners)
    for name, planner in PLANNERS.items():
        count = 0
        for chunk in batches(planner(day, now, owners), BATCH):
            with transaction.atomic():
                summary.created += put_many(chunk, now)
            count += len(chunk)
            if progress:
                progress(name, len(chunk))
        summary.planned[name] = count
    summary.missed = expire(day, now, owners)
    log.debug("Planned %s: %s", day, summary.as_dict())
    return summary
