"""Helpers for the ideas tests: run the week's preparer and planners for a day, without the rest
of the engine's planners."""

from __future__ import annotations

import datetime as dt

from extramile.accounts.models import User
from extramile.agenda.actions import put_many
from extramile.agenda.engine import expire
from extramile.agenda.models import Action
from extramile.ideas.models import Idea
from extramile.ideas.planners import surprises, week
from extramile.ideas.services import add_idea
from extramile.ideas.week import prepare_surprises
from tests.conftest import NOW


def at(day: dt.date) -> dt.datetime:
    """Mid-morning in New York on ``day``."""
    return dt.datetime.combine(day, dt.time(15), tzinfo=dt.UTC)


def plan_week(day: dt.date, now: dt.datetime | None = None) -> int:
    """Prepare and plan ``day`` for every active user, as the engine would; return new actions."""
    now = now or at(day)
    owners = User.objects.filter(is_active=True)
    prepare_surprises(day, now, owners)
    specs = [*week(day, now, owners), *surprises(day, now, owners)]
    created = put_many(specs, now) if specs else 0
    expire(day, now, owners)
    return created


def action(key: str) -> Action:
    return Action.objects.get(key=key)


def idea(author: User, text: str, tags: str = "", now: dt.datetime = NOW) -> Idea:
    return add_idea(author, text, tags, now)
