"""Streaks for a whole team at once (the Team page) agree with each user's own streak, however far
back it runs: the team count looks back in widening spans."""

from __future__ import annotations

import datetime as dt

import pytest

from extramile import business_hours
from extramile.agenda.models import Action, ActionStatus, Priority
from extramile.agenda.streaks import FIRST_SPAN, LOOKBACK_DAYS, streak, streaks
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


def working_days_back(user, count):
    hours = business_hours.for_user(user)
    day, found = TODAY - dt.timedelta(days=1), []
    while len(found) < count:
        if hours.is_working_day(day):
            found.append(day)
        day -= dt.timedelta(days=1)
    return found


def history(user, clear_days, broken_on=None):
    """One action due on each of the last ``clear_days`` working days, done; one missed on the
    working day before them (when ``broken_on``)."""
    days = working_days_back(user, clear_days + 1)
    rows = []
    for i, day in enumerate(days):
        broken = i == clear_days
        if broken and not broken_on:
            continue
        rows.append(
            Action(
                key=f"s:{user.pk}:{day}",
                kind="promise",
                owner=user,
                title="Keep a promise",
                due_on=day,
                priority=Priority.PROMISE,
                status=ActionStatus.MISSED if broken else ActionStatus.DONE,
                created_at=NOW,
                updated_at=NOW,
            )
        )
    Action.objects.bulk_create(rows)


def test_team_streaks_agree_with_each_users_streak(owner, colleague, outsider, manager):
    history(owner, 3, broken_on=True)  # short: found in the first span
    history(colleague, FIRST_SPAN + 5, broken_on=True)  # runs past the first span
    history(outsider, 70, broken_on=True)  # past the second span too
    history(manager, LOOKBACK_DAYS, broken_on=False)  # as far as streaks look back
    users = [owner, colleague, outsider, manager]
    now = dt.datetime.combine(TODAY, dt.time(17), tzinfo=dt.UTC)
    together = streaks(users, now)
    alone = {user.pk: streak(user, user.local_date(now)) for user in users}
    assert together == alone
    assert together[owner.pk] == 3
    assert together[colleague.pk] == FIRST_SPAN + 5
    assert together[outsider.pk] == 70
