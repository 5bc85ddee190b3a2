"""Background jobs, run by ``extramile worker`` through Django's Tasks API (django-tasks)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from extramile.accounts.models import Company, User
from extramile.agenda import engine


def users_in_zone(zone: str, company: Company) -> Any:
    users = User.objects.filter(is_active=True)
    if zone == company.time_zone:
        return users.filter(Q(time_zone=zone) | Q(time_zone=""))
    return users.filter(time_zone=zone)


@task()
def plan_zone(day: str, zone: str) -> dict[str, object]:
    """Plan ``day`` for every active user whose local time zone is ``zone``."""
    company = Company.get()
    summary = engine.plan(dt.date.fromisoformat(day), timezone.now(), users_in_zone(zone, company))
    return summary.as_dict()
