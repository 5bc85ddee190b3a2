"""“Am I doing my best?”: the daily check-in, the user's own trend and a team's daily average.

Privacy: a user's scores and notes are theirs. Anyone else (a manager, an admin) only ever gets
``team_average``: per day, the average and the count of the reps they see, never their own — and no
average on a day with fewer than ``MIN_GROUP`` check-ins, as an average of one or two would give
someone's score away. Check-ins have no admin page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, QuerySet

from extramile.accounts.models import Role, User
from extramile.culture.models import CheckIn

SCORES = (1, 2, 3, 4, 5)
MAX_NOTE = 1000
TREND_DAYS = 90
MIN_GROUP = 3


def check_in(user: User, now: dt.datetime, score: object, note: str = "") -> CheckIn:
    """Record today's answer (the user's local day). A second answer the same day replaces the
    first: people change their mind by the afternoon, and one row a day keeps the trend honest."""
    try:
        value = int(str(score))
    except ValueError:
        value = 0
    if value not in SCORES:
        raise ValidationError("Choose a score from 1 to 5.")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError(f"Keep the note under {MAX_NOTE} characters.")
    day = user.local_date(now)
    row, _ = CheckIn.objects.update_or_create(
        user=user,
        day=day,
        defaults={"score": value, "note": note, "updated_at": now},
        create_defaults={"score": value, "note": note, "created_at": now, "updated_at": now},
    )
    return row


def today_check_in(user: User, day: dt.date) -> CheckIn | None:
    return CheckIn.objects.filter(user=user, day=day).first()


def own_trend(user: User, day: dt.date, days: int = TREND_DAYS) -> list[CheckIn]:
    """The user's own check-ins over the last ``days`` days, oldest first."""
    since = day - dt.timedelta(days=days - 1)
    return list(CheckIn.objects.filter(user=user, day__gte=since, day__lte=day).order_by("day"))


@dataclass(frozen=True)
class DayAverage:
    day: dt.date
    count: int
    average: float | None  # None when fewer than MIN_GROUP checked in


def team_members(viewer: User) -> QuerySet[User]:
    """Whose check-ins make ``viewer``'s team average: the reps the viewer sees, never the viewer.

    Reps only, and never the viewer, because the viewer knows their own score: counted in, it would
    let a manager with two reps subtract it from a "three" and learn the sum of the two."""
    return User.objects.visible_to(viewer).active().filter(role=Role.REP).exclude(pk=viewer.pk)


def team_average(viewer: User, day: dt.date, days: int = TREND_DAYS) -> list[DayAverage]:
    """Per day with any check-in: how many of ``team_members(viewer)`` checked in, and their average
    (None on a day with fewer than ``MIN_GROUP``)."""
    since = day - dt.timedelta(days=days - 1)
    rows = (
        CheckIn.objects.filter(user__in=team_members(viewer), day__gte=since, day__lte=day)
        .values("day")
        .annotate(count=Count("id"), average=Avg("score"))
        .order_by("day")
    )
    return [
        DayAverage(
            row["day"],
            row["count"],
            round(float(row["average"]), 2) if row["count"] >= MIN_GROUP else None,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Chart:
    """A line chart of scores 1–5 over a run of days, as SVG coordinates for the template."""

    width: int
    height: int
    points: str  # "x,y x,y …" for a <polyline>
    dots: list[tuple[float, float, str]]  # x, y, title
    grid: list[tuple[float, int]]  # y, score
    start: dt.date
    end: dt.date


def chart(values: list[tuple[dt.date, float]], end: dt.date, days: int = TREND_DAYS) -> Chart:
    """Scale (day, score) pairs onto a ``days``-wide, 1–5-high box. Days without a value leave no
    dot; the line joins the days that have one."""
    width, height, pad = 720, 200, 24
    start = end - dt.timedelta(days=days - 1)
    span = max(days - 1, 1)

    def x(day: dt.date) -> float:
        return round(pad + (day - start).days * (width - 2 * pad) / span, 1)

    def y(score: float) -> float:
        return round(height - pad - (score - 1) * (height - 2 * pad) / 4, 1)

    inside = [(d, v) for d, v in values if start <= d <= end]
    dots = [(x(d), y(v), f"{d:%a %d %b}: {v:g}") for d, v in inside]
    return Chart(
        width=width,
        height=height,
        points=" ".join(f"{px},{py}" for px, py, _ in dots),
        dots=dots,
        grid=[(y(score), score) for score in SCORES],
        start=start,
        end=end,
    )
