"""The weekly trend on the Team and Calls pages: what the reps in scope did, week by week.

Three series, counted per rep and week (Monday to Sunday in the company's zone, like the Team
page's periods): extra-mile actions done, calls made, cards mailed. A finished week does not
change, so the finished weeks are kept per rep once a day (the ``team.weekly`` rollup, counted by
the nightly plan after Today); only this week, and a finished week a rep's kept figures do not
hold yet (the rollup was counted before that week ended), are counted on the view. One grouped
query per series either way, whatever the number of reps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from extramile.accounts.models import Company
from extramile.agenda.models import Action, ActionStatus
from extramile.cards.models import Card, CardStatus
from extramile.charts import BarChart, bar_chart
from extramile.outreach.models import Call
from extramile.rollups.store import read, rollup
from extramile.team.figures import Period

WEEKS = 12


@dataclass(frozen=True)
class Series:
    key: str
    label: str  # "Extra-mile actions done"
    one: str  # what one of them is called, for the bars' tooltips: "action done"
    many: str
    rows: Callable[[list[int]], QuerySet[Any]]  # the records of these reps
    rep: str  # the field naming the rep
    at: str  # the moment that puts a record in a week


SERIES: list[Series] = [
    Series(
        "done",
        "Extra-mile actions done",
        "action done",
        "actions done",
        lambda reps: Action.objects.filter(owner_id__in=reps, status=ActionStatus.DONE),
        "owner_id",
        "completed_at",
    ),
    Series(
        "calls",
        "Calls made",
        "call",
        "calls",
        lambda reps: Call.objects.filter(user_id__in=reps),
        "user_id",
        "at",
    ),
    Series(
        "cards",
        "Cards mailed",
        "card mailed",
        "cards mailed",
        lambda reps: Card.objects.filter(owner_id__in=reps, status=CardStatus.MAILED),
        "owner_id",
        "mailed_at",
    ),
]
BY_KEY = {series.key: series for series in SERIES}


def weeks_to(day: dt.date, company: Company, weeks: int = WEEKS) -> list[Period]:
    """The ``weeks`` weeks up to the one holding ``day``, oldest first."""
    monday = day - dt.timedelta(days=day.weekday())
    return [
        Period.of("week", monday - dt.timedelta(weeks=back), company)
        for back in range(weeks - 1, -1, -1)
    ]


def count(series: Series, reps: list[int], weeks: list[Period]) -> dict[int, dict[str, int]]:
    """Rep → week (its Monday, ISO) → how many of ``series`` fell in it: one grouped query."""
    if not reps or not weeks:
        return {}
    at = series.at
    counted = {
        f"w{i}": Count("id", filter=Q(**{f"{at}__gte": week.starts, f"{at}__lt": week.ends}))
        for i, week in enumerate(weeks)
    }
    rows = (
        series.rows(reps)
        .filter(**{f"{at}__gte": weeks[0].starts, f"{at}__lt": weeks[-1].ends})
        .values(series.rep)
        .annotate(**counted)
        .order_by()
    )
    return {
        row[series.rep]: {week.first.isoformat(): row[f"w{i}"] for i, week in enumerate(weeks)}
        for row in rows
    }


@rollup("team.weekly")
def weekly_rollup(owner_ids: list[int], now: dt.datetime) -> dict[int, Any]:
    """Per rep: series → finished week (its Monday, ISO) → count, for the ``WEEKS - 1`` weeks
    before the week holding ``now``."""
    company = Company.get()
    finished = weeks_to(now.astimezone(company.zone).date(), company)[:-1]
    found: dict[int, Any] = {rep: {} for rep in owner_ids}
    for series in SERIES:
        counted = count(series, owner_ids, finished)
        for rep in owner_ids:
            found[rep][series.key] = counted.get(
                rep, {week.first.isoformat(): 0 for week in finished}
            )
    return found


@dataclass(frozen=True)
class Trend:
    weeks: list[Period]  # oldest first; the last is the week holding the day asked for
    counts: dict[str, list[int]]  # series key → the reps' total per week
    counted_at: dt.datetime | None  # when the finished weeks were counted (None: no reps)

    def series(self) -> list[tuple[Series, list[int]]]:
        return [(BY_KEY[key], values) for key, values in self.counts.items()]

    def rows(self) -> list[tuple[Period, list[int]]]:
        """Week → each series' total, newest first (the table under the charts)."""
        columns = list(self.counts.values())
        return [(week, [values[i] for values in columns]) for i, week in enumerate(self.weeks)][
            ::-1
        ]


def weekly(reps: list[int], day: dt.date, now: dt.datetime, keys: list[str] | None = None) -> Trend:
    """The reps' totals per week for the ``WEEKS`` weeks up to the one holding ``day``: finished
    weeks from the kept rollup, the rest counted now."""
    company = Company.get()
    weeks = weeks_to(day, company)
    chosen = [BY_KEY[key] for key in keys] if keys else SERIES
    totals = {series.key: [0] * len(weeks) for series in chosen}
    if not reps:
        return Trend(weeks, totals, None)
    kept = read("team.weekly", reps, now)
    live: dict[int, set[int]] = {}  # week index → reps whose figures for it are counted now
    for i, week in enumerate(weeks):
        key = week.first.isoformat()
        for rep in reps:
            held = kept.data.get(rep, {})
            if week is weeks[-1] or any(key not in held.get(s.key, {}) for s in chosen):
                live.setdefault(i, set()).add(rep)
                continue
            for series in chosen:
                totals[series.key][i] += held[series.key][key]
    # The weeks counted now, grouped by the reps they are for (usually: this week, every rep).
    groups: dict[frozenset[int], list[int]] = {}
    for i, reps_now in live.items():
        groups.setdefault(frozenset(reps_now), []).append(i)
    for group, indexes in groups.items():
        asked = [weeks[i] for i in indexes]
        for series in chosen:
            for per_week in count(series, sorted(group), asked).values():
                for i, week in zip(indexes, asked, strict=True):
                    totals[series.key][i] += per_week[week.first.isoformat()]
    return Trend(weeks, totals, kept.as_of)


def plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def charts(trend: Trend) -> list[tuple[Series, BarChart, int]]:
    """A small bar chart per series (a bar a week, this week last), with the series' total."""
    drawn = []
    for series, values in trend.series():
        bars = [
            (
                f"{week.first.day} {week.first:%b}",
                value,
                f"Week of {week.first.day} {week.first:%B %Y}"
                + (" (so far)" if week is trend.weeks[-1] else "")
                + f": {plural(value, series.one, series.many)}",
            )
            for week, value in zip(trend.weeks, values, strict=True)
        ]
        last = trend.weeks[-1].last
        title = f"{series.label} per week, the {WEEKS} weeks to {last.day} {last:%B %Y}"
        chart = bar_chart(bars, title=title, every=4, width=360, height=180)
        drawn.append((series, chart, sum(values)))
    return drawn
