"""The team dashboard's figures: per rep and for the team, over a week, a month or a quarter.

Each figure is one grouped query over the reps in scope (never one query per rep), so the page
costs about a dozen queries whatever the size of the book. The activity columns (actions, calls,
cards, thank-yous, replies) read the finished days kept per rep (``team/days.py``) and count only
today live; ``build(live=True)`` counts them all from the records (the tests hold both equal).
A figure with nothing to measure in the period is ``None`` ("–" on the page), never a made-up
zero.
"""

from __future__ import annotations

import datetime as dt
import functools
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, DateTimeField, Q, QuerySet, When
from django.db.models import Value as V

from extramile.accounts.models import Company, User
from extramile.agenda.models import Action, ActionStatus
from extramile.agenda.streaks import streaks
from extramile.inbox.figures import ReplyFigures
from extramile.team.days import Tally, activity

PERIODS = {"week": "This week", "month": "This month", "quarter": "This quarter"}


def period_bounds(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the week (Monday–Sunday), month or quarter holding ``day``."""
    if kind == "week":
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    if kind == "month":
        start = day.replace(day=1)
    elif kind == "quarter":
        start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    else:
        raise ValueError(f"“{kind}” is not a period: week, month or quarter.")
    months = 1 if kind == "month" else 3
    year, month = divmod(start.month - 1 + months, 12)
    return start, dt.date(start.year + year, month + 1, 1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    kind: str
    first: dt.date
    last: dt.date
    starts: dt.datetime  # aware, the first day's midnight in the company's zone
    ends: dt.datetime  # aware, the midnight after the last day

    @classmethod
    def of(cls, kind: str, day: dt.date, company: Company) -> Period:
        first, last = period_bounds(kind, day)
        zone = company.zone
        starts = dt.datetime.combine(first, dt.time(0), tzinfo=zone)
        ends = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
        return cls(kind, first, last, starts, ends)


@dataclass(frozen=True)
class Value:
    """One cell: the number shown, and the counts behind it ("12 of 15")."""

    number: float | None
    detail: str = ""
    percent: bool = False
    part: int = 0  # for a share: the counts behind it
    whole: int = 0
    median: bool = False  # a median: the team's cell is the median of the reps'

    def display(self) -> str:
        if self.number is None:
            return "–"
        if self.percent:
            return f"{self.number:.0%}"
        if isinstance(self.number, float) and not self.number.is_integer():
            return f"{self.number:.1f}"
        return f"{self.number:,.0f}"


def share(part: int, whole: int) -> Value:
    detail = f"{part} of {whole}" if whole else ""
    return Value(part / whole if whole else None, detail, True, part, whole)


def count(n: int) -> Value:
    return Value(n)


Figures = dict[int, Value]
Measure = Callable[[list[int], Period, dt.datetime], Figures]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    measure: Measure
    higher_is_better: bool = True
    live: Measure | None = None  # the same figure counted from the records (``build(live=True)``)


def per_rep(rows: QuerySet[Any], rep_field: str, reps: list[int]) -> Figures:
    """How many of ``rows`` belong to each rep (by ``rep_field``), in one grouped query."""
    found = dict(rows.values_list(rep_field).annotate(n=Count("id")).order_by())
    return {rep: count(found.get(rep, 0)) for rep in reps}


# The figures ------------------------------------------------------------------------------------


def actions_done(reps: list[int], period: Period, now: dt.datetime) -> Figures:
    rows = Action.objects.filter(
        owner_id__in=reps,
        status=ActionStatus.DONE,
        completed_at__gte=period.starts,
        completed_at__lt=period.ends,
    )
    return per_rep(rows, "owner_id", reps)


def cards_mailed(reps: list[int], period: Period, now: dt.datetime) -> Figures:
    found = _cards_once(tuple(reps), period)
    return {rep: count(found.get(rep, (0, 0))[1]) for rep in reps}


def cards_personal(reps: list[int], period: Period, now: dt.datetime) -> Figures:
    """Of the cards mailed, the share that passed the personalisation guard (no override)."""
    found = _cards_once(tuple(reps), period)
    return {rep: share(*found.get(rep, (0, 0))) for rep in reps}


@functools.lru_cache(maxsize=4)
def _cards_once(reps: tuple[int, ...], period: Period) -> dict[int, tuple[int, int]]:
    """Owner → (cards mailed that passed the guard, cards mailed): both card columns of one build
    share this query; ``build`` clears it before and after."""
    from extramile.cards.models import Card, CardStatus

    rows = (
        Card.objects.filter(
            owner_id__in=reps,
            status=CardStatus.MAILED,
            mailed_at__gte=period.starts,
            mailed_at__lt=period.ends,
        )
        .values("owner_id")
        .annotate(n=Count("id"), passed=Count("id", filter=Q(override_reason="")))
        .order_by()
    )
    return {row["owner_id"]: (row["passed"], row["n"]) for row in rows}


def calls_made(reps: list[int], period: Period, now: dt.datetime) -> Figures:
    from extramile.outreach.models import Call

    rows = Call.objects.filter(user_id__in=reps, at__gte=period.starts, at__lt=period.ends)
    return per_rep(rows, "user_id", reps)


def cadence_coverage(reps: list[int], period: Period, now: dt.datetime) -> Figures:
    """The share of each rep's book within its cadence (a state, not a period's count), as kept
    once a day: counting 200 books on every view is a million customers."""
    from extramile.outreach.coverage import kept_shares

    return {rep: share(*found) for rep, found in kept_shares(reps, now).items()}


def _replies(reps: list[int], period: Period, now: dt.datetime) -> dict[int | None, ReplyFigures]:
    return _replies_once(tuple(reps), period, now)


@functools.lru_cache(maxsize=4)
def _replies_once(
    reps: tuple[int, ...], period: Period, now: dt.datetime
) -> dict[int | None, ReplyFigures]:
    """Both reply columns of one build share this query; ``build`` clears it before and after."""
    from extramile.inbox.figures import figures_by_owner
    from extramile.inbox.models import InboundMessage

    messages = InboundMessage.objects.filter(
        owner_id__in=reps, received_at__gte=period.starts, received_at__lt=period.ends
    )
    return dict(figures_by_owner(messages, now))


def replies_within(reps: list[int], period: Period, now: dt.datetime) -> Figures:
    found = _replies(reps, period, now)
    result = {}
    for rep in reps:
        figures = found.get(rep)
        result[rep] = share(figures.within, figures.judged) if figures else share(0, 0)
    return result


def reply_median(reps: list[int], period: Period, now: dt.datetime) -> Figures:
    found = _replies(reps, period, now)
    result = {}
    for rep in reps:
        figures = found.get(rep)
        median = figures.median_minutes if figures else None
        result[rep] = Value(median, "business minutes" if median is not None else "", median=True)
    return result


def thank_yous_on_time(reps: list[int], period: Period, now: dt.datetime) -> Figures:
    """Of the thank-you notes mailed, the share mailed by the end of their mail-by day (in the
    company's zone). Each possible mail-by day's deadline is written into the query, so the
    database compares timestamps rather than turning each one into a local date (a Python call
    per row on SQLite)."""
    from extramile.cards.models import Card, CardStatus

    zone = Company.get().zone
    earliest = period.first - dt.timedelta(days=LATE_NOTE_DAYS)
    days = [earliest + dt.timedelta(days=i) for i in range((period.last - earliest).days + 1)]
    deadline = Case(
        *[
            When(
                mail_by=day,
                then=V(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)),
            )
            for day in days
        ],
        default=None,  # due long before the period: mailed in it, it is late
        output_field=DateTimeField(),
    )
    on_time = Q(mail_by__gt=period.last) | Q(mailed_at__lt=deadline)
    rows = (
        Card.objects.filter(
            owner_id__in=reps,
            occasion__code="thank_you",
            status=CardStatus.MAILED,
            mailed_at__gte=period.starts,
            mailed_at__lt=period.ends,
        )
        .values("owner_id")
        .annotate(n=Count("id"), on_time=Count("id", filter=on_time))
        .order_by()
    )
    found = {row["owner_id"]: (row["on_time"], row["n"]) for row in rows}
    return {rep: share(*found.get(rep, (0, 0))) for rep in reps}


# A note mailed more than this long after its mail-by day is late whatever the day (the query
# lists each day's deadline only this far back).
LATE_NOTE_DAYS = 60


def service_targets(reps: list[int], period: Period, now: dt.datetime) -> Figures:
    """Of the requests resolved in the period, the share resolved within their target."""
    from extramile.service.models import ServiceRequest, Status

    resolved = ServiceRequest.objects.filter(
        assignee_id__in=reps,
        status=Status.RESOLVED,
        resolved_at__gte=period.starts,
        resolved_at__lt=period.ends,
    )
    met = set(resolved.resolution_met().values_list("pk", flat=True))
    tally: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for pk, assignee in resolved.values_list("pk", "assignee_id"):
        tally[assignee][1] += 1
        tally[assignee][0] += pk in met
    return {rep: share(*tally.get(rep, [0, 0])) for rep in reps}


def articles_sent(reps: list[int], period: Period, now: dt.datetime) -> Figures:
    from extramile.articles.models import DELIVERED, ArticleMailing

    rows = ArticleMailing.objects.filter(
        owner_id__in=reps,
        status__in=DELIVERED,
        sent_on__gte=period.first,
        sent_on__lte=period.last,
    )
    return per_rep(rows, "owner_id", reps)


def lunches_held(reps: list[int], period: Period, now: dt.datetime) -> Figures:
    from extramile.value.models import Invitation, InvitationStatus

    rows = Invitation.objects.filter(
        owner_id__in=reps,
        status=InvitationStatus.HELD,
        meal_on__gte=period.first,
        meal_on__lte=period.last,
    )
    return per_rep(rows, "owner_id", reps)


def surprises_done(reps: list[int], period: Period, now: dt.datetime) -> Figures:
    from extramile.ideas.models import Surprise

    rows = Surprise.objects.filter(
        user_id__in=reps, done_at__gte=period.starts, done_at__lt=period.ends
    )
    return per_rep(rows, "user_id", reps)


def stories_written(reps: list[int], period: Period, now: dt.datetime) -> Figures:
    """Team stories dated in the period (private ones are nobody else's business)."""
    from extramile.culture.models import Story, Visibility

    rows = Story.objects.filter(
        author_id__in=reps,
        visibility=Visibility.TEAM,
        date__gte=period.first,
        date__lte=period.last,
    )
    return per_rep(rows, "author_id", reps)


def kudos_given(reps: list[int], period: Period, now: dt.datetime) -> Figures:
    from extramile.culture.models import Kudos

    rows = Kudos.objects.filter(
        giver_id__in=reps, created_at__gte=period.starts, created_at__lt=period.ends
    )
    return per_rep(rows, "giver_id", reps)


def kudos_received(reps: list[int], period: Period, now: dt.datetime) -> Figures:
    from extramile.culture.models import Kudos

    rows = Kudos.objects.filter(
        story__author_id__in=reps, created_at__gte=period.starts, created_at__lt=period.ends
    )
    return per_rep(rows, "story__author_id", reps)


# The activity columns from the kept days (``team/days.py``) --------------------------------------


@functools.lru_cache(maxsize=4)
def _activity_once(reps: tuple[int, ...], period: Period, now: dt.datetime) -> dict[int, Tally]:
    """Every activity column of one build shares this; ``build`` clears it before and after."""
    return activity(list(reps), period.first, period.last, now)


def _tallies(reps: list[int], period: Period, now: dt.datetime) -> dict[int, Tally]:
    found = _activity_once(tuple(reps), period, now)
    return {rep: found.get(rep) or Tally() for rep in reps}


def kept_done(reps: list[int], period: Period, now: dt.datetime) -> Figures:
    return {rep: count(t.done) for rep, t in _tallies(reps, period, now).items()}


def kept_cards(reps: list[int], period: Period, now: dt.datetime) -> Figures:
    return {rep: count(t.cards) for rep, t in _tallies(reps, period, now).items()}


def kept_cards_personal(reps: list[int], period: Period, now: dt.datetime) -> Figures:
    return {rep: share(t.cards_passed, t.cards) for rep, t in _tallies(reps, period, now).items()}


def kept_calls(reps: list[int], period: Period, now: dt.datetime) -> Figures:
    return {rep: count(t.calls) for rep, t in _tallies(reps, period, now).items()}


def kept_replies_within(reps: list[int], period: Period, now: dt.datetime) -> Figures:
    result = {}
    for rep, t in _tallies(reps, period, now).items():
        result[rep] = share(t.within, t.within + t.late)
    return result


def kept_reply_median(reps: list[int], period: Period, now: dt.datetime) -> Figures:
    result = {}
    for rep, t in _tallies(reps, period, now).items():
        median = t.replies().median_minutes
        result[rep] = Value(median, "business minutes" if median is not None else "", median=True)
    return result


def kept_thanks_on_time(reps: list[int], period: Period, now: dt.datetime) -> Figures:
    return {
        rep: share(t.thanks_on_time, t.thanks) for rep, t in _tallies(reps, period, now).items()
    }


def streak_days(reps: list[int], period: Period, now: dt.datetime) -> Figures:
    users = list(User.objects.filter(pk__in=reps))
    found = streaks(users, now)
    return {rep: count(found.get(rep, 0)) for rep in reps}


COLUMNS: list[Column] = [
    Column("done", "Extra-mile actions done", kept_done, live=actions_done),
    Column("cards", "Cards mailed", kept_cards, live=cards_mailed),
    Column(
        "cards_personal",
        "Cards personal (passed the guard)",
        kept_cards_personal,
        live=cards_personal,
    ),
    Column("calls", "Calls made", kept_calls, live=calls_made),
    Column("coverage", "Book within call cadence (counted daily)", cadence_coverage),
    Column("replies_within", "Replies within the target", kept_replies_within, live=replies_within),
    Column(
        "reply_median",
        "Median reply (business min)",
        kept_reply_median,
        higher_is_better=False,
        live=reply_median,
    ),
    Column(
        "thanks_on_time", "Thank-you notes on time", kept_thanks_on_time, live=thank_yous_on_time
    ),
    Column("service_met", "Service resolved within target", service_targets),
    Column("articles", "Articles sent", articles_sent),
    Column("lunches", "Lunches held", lunches_held),
    Column("surprises", "Surprises done", surprises_done),
    Column("stories", "Stories written", stories_written),
    Column("kudos_given", "Kudos given", kudos_given),
    Column("kudos_received", "Kudos received", kudos_received),
    Column("streak", "Streak (working days)", streak_days),
]


def columns() -> list[Column]:
    return list(COLUMNS)


@dataclass
class Dashboard:
    period: Period
    columns: list[Column]
    reps: list[User]
    cells: dict[int, dict[str, Value]] = field(default_factory=dict)
    team: dict[str, Value] = field(default_factory=dict)

    def rows(self) -> list[tuple[User, list[Value]]]:
        return [(rep, [self.cells[rep.pk][c.key] for c in self.columns]) for rep in self.reps]

    def team_row(self) -> list[Value]:
        return [self.team[c.key] for c in self.columns]

    def leaderboard(self) -> list[tuple[User, int]]:
        """Reps by extra-mile actions done in the period, most first."""
        done = [(rep, int(self.cells[rep.pk]["done"].number or 0)) for rep in self.reps]
        return sorted(done, key=lambda item: (-item[1], str(item[0])))


def team_value(values: list[Value]) -> Value:
    """The team's cell: a sum for counts, the pooled share for shares, the median of medians."""
    known = [v for v in values if v.number is not None]
    if not known:
        return Value(None)
    if values[0].percent:
        return share(sum(v.part for v in known), sum(v.whole for v in known))
    if values[0].median:
        median = statistics.median(float(v.number or 0) for v in known)
        return Value(median, "median of reps", median=True)
    return count(int(sum(float(v.number or 0) for v in known)))


def build(
    reps: list[User], kind: str, day: dt.date, now: dt.datetime, live: bool = False
) -> Dashboard:
    """The dashboard for ``reps`` over the ``kind`` period holding ``day``, at ``now``. The
    activity columns read the kept days (``team/days.py``); ``live`` counts every column from
    the records instead (the tests hold the two equal)."""
    company = Company.get()
    period = Period.of(kind, day, company)
    chosen = columns()
    ids = [rep.pk for rep in reps]
    board = Dashboard(period, chosen, reps, {rep.pk: {} for rep in reps})
    _replies_once.cache_clear()
    _cards_once.cache_clear()
    _activity_once.cache_clear()
    try:
        for column in chosen:
            measure = column.live if live and column.live else column.measure
            values = measure(ids, period, now) if ids else {}
            for rep in reps:
                board.cells[rep.pk][column.key] = values.get(rep.pk, Value(None))
            board.team[column.key] = team_value([board.cells[pk][column.key] for pk in ids])
    finally:
        _replies_once.cache_clear()
        _cards_once.cache_clear()
        _activity_once.cache_clear()
    return board
