"""Today asks for the week's extra-mile story: from the first working day of the week, for everyone
who has not written one dated that week yet. It expires at the week's end (Sunday)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import QuerySet

from extramile import business_hours
from extramile.accounts.models import Company, User
from extramile.agenda.models import Priority
from extramile.agenda.registry import ActionSpec, planner
from extramile.culture.habits import STORY
from extramile.culture.models import Story
from extramile.culture.services import week_start, weekly_key

WEEKLY_TITLE = "Write this week's extra-mile story"
WEEKLY_DETAIL = (
    "What did you (or a co-worker) do this week that a customer did not expect? "
    "Five minutes: the situation, what was done, how they took it."
)


def first_working_day(start: dt.date) -> dt.date | None:
    """The first working day of the week starting ``start`` (company days and holidays; the same
    in every time zone, as working days are dates)."""
    hours = business_hours.for_user(None, Company.get())
    days = [start + dt.timedelta(days=i) for i in range(7)]
    return next((day for day in days if hours.is_working_day(day)), None)


@planner("stories")
def stories(day: dt.date, now: dt.datetime, owners: QuerySet[User]) -> Iterator[ActionSpec]:
    start = week_start(day)
    first = first_working_day(start)
    if first is None or day < first:
        return
    end = start + dt.timedelta(days=6)
    wrote = Story.objects.filter(date__gte=start, date__lte=end).values("author_id")
    users = owners.filter(is_active=True).exclude(pk__in=wrote)
    for pk in users.values_list("pk", flat=True):
        yield ActionSpec(
            key=weekly_key(pk, start),
            kind=STORY.kind,
            owner_id=pk,
            title=WEEKLY_TITLE,
            detail=WEEKLY_DETAIL,
            due_on=first,
            expires_on=end,
            priority=Priority.NORMAL,
        )
