"""Streaks: working days in a row with the whole agenda done.

A working day counts when every action that was due on it (``due_on`` that day) ended done or
skipped — none left open, snoozed or missed. A working day with nothing due keeps the streak going
without adding to it; a closed day (weekend, holiday) is passed over. The streak runs back from
yesterday (today is still in progress) and adds today once today's agenda is already clear.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet

from extramile import business_hours
from extramile.accounts.models import Company, User
from extramile.agenda.models import Action, ActionStatus

# How far back a streak is counted (the digest shows "30+" beyond that).
LOOKBACK_DAYS = 120
CLOSED_WELL = [ActionStatus.DONE, ActionStatus.SKIPPED]


def streak(user: User, day: dt.date) -> int:
    """Working days in a row, ending yesterday (or today when today is clear), with the whole
    agenda done."""
    since = day - dt.timedelta(days=LOOKBACK_DAYS)
    per_day = _tally(Action.objects.filter(owner=user), since, day).get(user.pk, {})
    return _run(per_day, business_hours.for_user(user), day, since)


def streaks(users: list[User], now: dt.datetime) -> dict[int, int]:
    """Each user's streak on their own local today, in one query."""
    if not users:
        return {}
    company = Company.get()
    days = {user.pk: user.local_date(now, company) for user in users}
    last = max(days.values())
    since = min(days.values()) - dt.timedelta(days=LOOKBACK_DAYS)
    tally = _tally(Action.objects.filter(owner__in=users), since, last)
    return {
        user.pk: _run(
            tally.get(user.pk, {}),
            business_hours.for_user(user, company),
            days[user.pk],
            days[user.pk] - dt.timedelta(days=LOOKBACK_DAYS),
        )
        for user in users
    }


def _tally(
    actions: QuerySet[Action], since: dt.date, until: dt.date
) -> dict[int, dict[dt.date, tuple[int, int]]]:
    """owner → day → (actions due, actions done or skipped)."""
    rows = (
        actions.filter(due_on__gte=since, due_on__lte=until)
        .values("owner_id", "due_on")
        .annotate(total=Count("id"), well=Count("id", filter=Q(status__in=CLOSED_WELL)))
        .order_by()
    )
    tally: dict[int, dict[dt.date, tuple[int, int]]] = {}
    for row in rows:
        tally.setdefault(row["owner_id"], {})[row["due_on"]] = (row["total"], row["well"])
    return tally


def _run(
    per_day: dict[dt.date, tuple[int, int]],
    hours: business_hours.BusinessHours,
    day: dt.date,
    since: dt.date,
) -> int:
    def clear(d: dt.date) -> bool:
        total, well = per_day.get(d, (0, 0))
        return total == well

    count = 0
    if hours.is_working_day(day) and day in per_day and clear(day):
        count += 1
    current = day - dt.timedelta(days=1)
    while current > since:
        if hours.is_working_day(current):
            if not clear(current):
                break
            if current in per_day:
                count += 1
        current -= dt.timedelta(days=1)
    return count
