"""Helpers for the culture tests: write a story, plan the week's story prompt for a day."""

from __future__ import annotations

import datetime as dt

from extramile.accounts.models import User
from extramile.agenda.actions import put_many
from extramile.agenda.engine import expire
from extramile.culture.models import Story, Visibility
from extramile.culture.planners import stories
from extramile.culture.services import save_story
from tests.conftest import NOW

MONDAY = dt.date(2026, 11, 23)


def at(day: dt.date) -> dt.datetime:
    """Mid-morning in New York on ``day``."""
    return dt.datetime.combine(day, dt.time(15), tzinfo=dt.UTC)


def story(
    author: User,
    what: str = "Drove the spare key over on a Sunday.",
    visibility: str = Visibility.TEAM,
    now: dt.datetime = NOW,
    **extra: object,
) -> Story:
    return save_story(author, now, what_done=what, visibility=visibility, **extra)  # type: ignore[arg-type]


def plan_stories(day: dt.date, now: dt.datetime | None = None) -> int:
    now = now or at(day)
    owners = User.objects.filter(is_active=True)
    specs = list(stories(day, now, owners))
    created = put_many(specs, now) if specs else 0
    expire(day, now, owners)
    return created
