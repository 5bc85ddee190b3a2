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
    return _run(per_day, business_hours.for_user(user), day, since)[0]


# Most streaks end within days: count the last FIRST_SPAN days for everyone, and look further back
# only for those whose streak reaches that far (a span four times longer each time).
FIRST_SPAN = 16


def streaks(users: list[User], now: dt.datetime) -> dict[int, int]:
    """Each user's streak on their own local today, in one query (rarely two or three)."""
    if not users:
        return {}
    company = Company.get()
    days = {user.pk: user.local_date(now, company) for user in users}
    hours = {user.pk: business_hours.for_user(user, company) for user in users}
    found: dict[int, int] = {}
    pending = list(users)
    span = FIRST_SPAN
    while pending:
        span = min(span, LOOKBACK_DAYS)
        last = max(days[user.pk] for user in pending)
        since = min(days[user.pk] for user in pending) - dt.timedelta(days=span)
        tally = _tally(Action.objects.filter(owner__in=pending), since, last)
        further = []
        for user in pending:
            day = days[user.pk]
            count, ended = _run(
                tally.get(user.pk, {}), hours[user.pk], day, day - dt.timedelta(days=span)
            )
            if ended or span == LOOKBACK_DAYS:
                found[user.pk] = count
            else:
                further.append(user)
        pending = further
        span *= 4
    return found


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
) -> tuple[int, bool]:
    """The streak counted back from ``day`` over the days after ``since``, and whether it ended
    there (False: it runs on past ``since`` as far as these days tell)."""

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
                return count, True
            if current in per_day:
                count += 1
        current -= dt.timedelta(days=1)
    return count, False
