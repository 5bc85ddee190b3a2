"""The Team page's activity figures per rep and day: finished days kept, today counted live.

The columns that count a rep's work over the period (actions done, calls, cards mailed and how
many passed the guard, thank-you notes and how many were on time, the reply figures) are sums over
days. A quarter for 200 reps is some 400,000 records; counted on every view it is most of the
page's time. So each finished day is counted once per rep and kept (``RepDay``, and the day's
reply groups in ``RepDayReply``); the page sums at most reps × 92 kept rows and counts only the
days from today on live.

A kept day stays right because:

* a write to a record counted in it (any path: service, bulk update, import, raw SQL) deletes the
  rep's rows for the record's day and the days either side, by database trigger
  (``team/triggers.py``);
* the reply figures depend on ``now`` (a message unanswered inside its deadline is not judged
  yet): a row holds ``valid_until``, the earliest deadline among the day's messages not judged
  when it was counted, and is counted again once ``now`` passes it;
* a row counted in another zone than the company's, or after the ``now`` asked about, is not used.

A missing or unusable day is counted (and kept) by the view that needs it; each zone's nightly
plan counts yesterday for its reps (``keep_finished``, run by ``rollups.store.refresh_all``). The
count and the write share a transaction that stops writers of ``RepDay`` (the triggers) for its
length, so a record written meanwhile cannot leave a stale row behind.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import OperationalError, connection, transaction
from django.db.models import Case, Count, DateTimeField, F, Min, Q, QuerySet, Sum, When
from django.db.models import Value as V
from django.db.models.functions import TruncDate

from extramile.accounts.models import Company
from extramile.inbox.figures import ReplyFigures, weighted_median
from extramile.rollups.store import keeper
from extramile.team.models import RepDay, RepDayReply

COUNTS = (
    "done",
    "calls",
    "cards",
    "cards_passed",
    "thanks",
    "thanks_on_time",
    "answered",
    "within",
    "late",
)
LOCK_WAIT = "2s"  # how long a view waits for the kept days before counting live instead
# Stand-ins for answered messages below and above the part of a rep's response times read from
# the kept days (``median_window``): never the median, by construction.
BELOW, ABOVE = -1, 2**62


@dataclass
class Tally:
    """One rep's counts over some days (see ``RepDay`` for each field), and the response times
    (business minutes → how many messages) the median is taken over."""

    done: int = 0
    calls: int = 0
    cards: int = 0
    cards_passed: int = 0
    thanks: int = 0
    thanks_on_time: int = 0
    answered: int = 0
    within: int = 0
    late: int = 0
    minutes: dict[int, int] = field(default_factory=dict)

    def add(self, other: Tally) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for value, n in other.minutes.items():
            self.minutes[value] = self.minutes.get(value, 0) + n

    def replies(self) -> ReplyFigures:
        """The reply figures, as ``inbox.figures.summarise`` makes them from the messages."""
        median = weighted_median(self.minutes) if self.answered else None
        return ReplyFigures(self.answered, self.within, self.late, median)


def midnight(day: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone)


def span(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


# Counting from the records ----------------------------------------------------------------------


def count(
    reps: list[int],
    first: dt.date,
    last: dt.date,
    now: dt.datetime,
    zone: zoneinfo.ZoneInfo,
    by_day: bool,
) -> tuple[dict[tuple[int, dt.date | None], Tally], dict[tuple[int, dt.date], dt.datetime]]:
    """The reps' counts from ``first`` to ``last`` (local days in ``zone``), per rep and day when
    ``by_day`` (else per rep, the day ``None``), judged at ``now``; and, per rep and day, the
    earliest reply deadline among the messages not judged yet (``by_day`` only). One grouped
    query per kind of record, whatever the number of reps or days."""
    from extramile.agenda.models import Action, ActionStatus
    from extramile.cards.models import Card, CardStatus
    from extramile.inbox.figures import judged_groups
    from extramile.inbox.models import InboundMessage
    from extramile.outreach.models import Call

    starts, ends = midnight(first, zone), midnight(last + dt.timedelta(days=1), zone)
    found: dict[tuple[int, dt.date | None], Tally] = defaultdict(Tally)
    keys = ("rep", "d") if by_day else ("rep",)

    def grouped(rows: QuerySet[Any], rep: str, at: str, **counts: Any) -> Iterable[Any]:
        rows = rows.filter(**{f"{at}__gte": starts, f"{at}__lt": ends}).annotate(rep=F(rep))
        if by_day:
            rows = rows.annotate(d=TruncDate(at, tzinfo=zone))
        return rows.values(*keys).annotate(**counts).order_by()

    def key(row: dict[str, Any]) -> tuple[int, dt.date | None]:
        return row["rep"], row["d"] if by_day else None

    actions = Action.objects.filter(owner_id__in=reps, status=ActionStatus.DONE)
    for row in grouped(actions, "owner_id", "completed_at", n=Count("id")):
        found[key(row)].done = row["n"]
    for row in grouped(Call.objects.filter(user_id__in=reps), "user_id", "at", n=Count("id")):
        found[key(row)].calls = row["n"]

    # A thank-you note is on time when mailed by the end of its mail-by day (local): per day,
    # mail_by ≥ the day; over a range of days, each day's deadline written into the query.
    thank = Q(occasion__code="thank_you")
    if by_day:
        on_time = Q(mail_by__gte=F("d"))
    else:
        deadline = Case(
            *[
                When(mail_by=day, then=V(midnight(day + dt.timedelta(days=1), zone)))
                for day in span(first, last - dt.timedelta(days=1))
            ],
            default=None,
            output_field=DateTimeField(),
        )
        on_time = Q(mail_by__gte=last) | Q(mail_by__gte=first, mailed_at__lt=deadline)
    cards = Card.objects.filter(owner_id__in=reps, status=CardStatus.MAILED)
    for row in grouped(
        cards,
        "owner_id",
        "mailed_at",
        n=Count("id"),
        passed=Count("id", filter=Q(override_reason="")),
        thanks=Count("id", filter=thank),
        on_time=Count("id", filter=thank & on_time),
    ):
        tally = found[key(row)]
        tally.cards, tally.cards_passed = row["n"], row["passed"]
        tally.thanks, tally.thanks_on_time = row["thanks"], row["on_time"]

    messages = InboundMessage.objects.filter(
        owner_id__in=reps, received_at__gte=starts, received_at__lt=ends
    )
    extra = ["owner_id"]
    if by_day:
        messages = messages.annotate(d=TruncDate("received_at", tzinfo=zone))
        extra.append("d")
    for response, replied, late, owner, *day, n in judged_groups(messages, now, *extra):
        tally = found[(owner, day[0] if by_day else None)]
        if replied and response is not None:
            tally.answered += n
            tally.minutes[response] = tally.minutes.get(response, 0) + n
        if late:
            tally.late += n
        elif replied:
            tally.within += n
    pending: dict[tuple[int, dt.date], dt.datetime] = {}
    if by_day:
        waiting = (
            messages.filter(replied_at__isnull=True, reply_due_at__gte=now)
            .values(*extra)
            .annotate(due=Min("reply_due_at"))
            .order_by()
        )
        pending = {(row["owner_id"], row["d"]): row["due"] for row in waiting}
    return found, pending


# Kept days --------------------------------------------------------------------------------------


def usable(reps: list[int], first: dt.date, last: dt.date, now: dt.datetime, zone: str) -> Any:
    return RepDay.objects.filter(
        rep_id__in=reps, day__gte=first, day__lte=last, zone=zone, counted_at__lte=now
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=now))


def keep(reps: list[int], first: dt.date, last: dt.date, now: dt.datetime, company: Company) -> int:
    """Count the reps' days from ``first`` to ``last`` at ``now`` and keep them (replacing what
    was kept); return the rows written. On PostgreSQL the transaction first locks ``RepDay``
    against the triggers' deletes (a writer whose trigger ran commits before the count reads;
    one that comes later waits and then deletes what was kept); on SQLite the first delete takes
    the database's write lock, which does the same."""
    zone = company.zone
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # A long writer (an import) holds the table until it commits: do not wait long.
                cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
                cursor.execute("LOCK TABLE team_repday IN SHARE ROW EXCLUSIVE MODE")
                cursor.execute("SET LOCAL lock_timeout = DEFAULT")
        for model in (RepDay, RepDayReply):
            model.objects.filter(rep_id__in=reps, day__gte=first, day__lte=last).delete()
        found, pending = count(reps, first, last, now, zone, by_day=True)
        days = span(first, last)
        rows = []
        replies = []
        for rep in reps:
            for day in days:
                tally = found.get((rep, day)) or Tally()
                rows.append(
                    RepDay(
                        rep_id=rep,
                        day=day,
                        zone=company.time_zone,
                        counted_at=now,
                        valid_until=pending.get((rep, day)),
                        **{name: getattr(tally, name) for name in COUNTS},
                    )
                )
                replies += [
                    RepDayReply(rep_id=rep, day=day, minutes=minutes, n=n)
                    for minutes, n in tally.minutes.items()
                ]
        RepDay.objects.bulk_create(rows, batch_size=2000)
        RepDayReply.objects.bulk_create(replies, batch_size=2000)
    return len(rows)


def ensure(
    reps: list[int], first: dt.date, last: dt.date, now: dt.datetime, company: Company
) -> int:
    """Count and keep whatever the reps' days from ``first`` to ``last`` lack (missing, dropped
    by a trigger, judged too early, counted in another zone); return the rows written. The reps
    lacking a day are counted again over the span of the days they lack."""
    if not reps or last < first:
        return 0
    days = span(first, last)
    rows = usable(reps, first, last, now, company.time_zone)
    have = dict(rows.values_list("rep_id").annotate(n=Count("id")).order_by())
    short = [rep for rep in reps if have.get(rep, 0) < len(days)]
    if not short:
        return 0
    present: dict[int, set[dt.date]] = defaultdict(set)
    for rep, day in usable(short, first, last, now, company.time_zone).values_list("rep_id", "day"):
        present[rep].add(day)
    lacking = [day for rep in short for day in days if day not in present[rep]]
    return keep(short, min(lacking), max(lacking), now, company)


def kept(
    reps: list[int],
    first: dt.date,
    last: dt.date,
    now: dt.datetime,
    company: Company,
    extra: int = 0,
) -> dict[int, Tally]:
    """The reps' counts over the finished days ``first`` to ``last``, from the kept rows (counted
    first where they lack). The response times are only those the median can be among once up to
    ``extra`` more answered messages (today's) join them (``median_window``)."""
    found, complete = kept_sums(reps, first, last, now, company)
    if not complete:
        try:
            ensure(reps, first, last, now, company)
        except OperationalError:
            # Another transaction holds the kept days (a long import whose triggers dropped
            # some): count these days live rather than wait for it.
            live, _ = count(reps, first, last, now, company.zone, by_day=False)
            return {rep: tally for (rep, _day), tally in live.items()}
        found, _ = kept_sums(reps, first, last, now, company)
    window: dict[int, list[tuple[int, int, int, int]]] = defaultdict(list)
    for rep, minutes, n, before, total in median_window(reps, first, last, extra):
        window[rep].append((minutes, n, before, total))
    for rep, rows in window.items():
        # Who is below and above the window stands in as one count each.
        counts = found[rep].minutes
        counts[BELOW] = min(before for _, _, before, _ in rows)
        counts[ABOVE] = rows[0][3] - max(before + n for _, n, before, _ in rows)
        for minutes, n, _, _ in rows:
            counts[minutes] = n
    return found


def kept_sums(
    reps: list[int], first: dt.date, last: dt.date, now: dt.datetime, company: Company
) -> tuple[dict[int, Tally], bool]:
    """The kept rows' sums per rep, and whether every rep had every day usable (one query)."""
    good = Q(zone=company.time_zone, counted_at__lte=now) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=now)
    )
    rows = (
        RepDay.objects.filter(rep_id__in=reps, day__gte=first, day__lte=last)
        .values("rep_id")
        .annotate(usable=Count("id", filter=good), **{name: Sum(name) for name in COUNTS})
        .order_by()
    )
    found: dict[int, Tally] = defaultdict(Tally)
    days = (last - first).days + 1
    usable_days = {}
    for row in rows:
        found[row["rep_id"]] = Tally(**{name: row[name] for name in COUNTS})
        usable_days[row["rep_id"]] = row["usable"]
    return found, all(usable_days.get(rep) == days for rep in reps)


def median_window(
    reps: list[int], first: dt.date, last: dt.date, extra: int
) -> list[tuple[int, int, int, int, int]]:
    """Per rep, the response times (rep, minutes, how many, how many answered faster, how many
    answered in all) around the middle of the kept days' answered messages: those whose place
    in the sorted list is within ``extra + 1`` of the middle. With up to ``extra`` more messages
    added, the median of all is among these or the added ones: a message ``k`` places away
    from the middle of the kept ones moves at most ``extra`` places. So a rep's thousands of
    messages over a quarter are ranked by the database (a running sum) and a handful read."""
    if not reps:
        return []
    marks = ", ".join(["%s"] * len(reps))
    sql = f"""
        SELECT rep_id, minutes, n, upto - n, total FROM (
            SELECT rep_id, minutes, n,
                   SUM(n) OVER (PARTITION BY rep_id ORDER BY minutes) AS upto,
                   SUM(n) OVER (PARTITION BY rep_id) AS total
            FROM (
                SELECT rep_id, minutes, CAST(SUM(n) AS INTEGER) AS n FROM team_repdayreply
                WHERE rep_id IN ({marks}) AND day >= %s AND day <= %s
                GROUP BY rep_id, minutes
            ) AS grouped
        ) AS ranked
        WHERE upto > total / 2 - %s AND upto - n <= total / 2 + %s
    """  # noqa: S608 (placeholders only)
    params: list[Any] = [*reps, first, last, extra + 1, extra + 1]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(int(v) for v in row) for row in cursor.fetchall()]  # type: ignore[misc]


def activity(reps: list[int], first: dt.date, last: dt.date, now: dt.datetime) -> dict[int, Tally]:
    """Each rep's counts from ``first`` to ``last``: the days before today (in the company's
    zone) from the kept rows, today and later counted live."""
    company = Company.get()
    today = now.astimezone(company.zone).date()
    found: dict[int, Tally] = {rep: Tally() for rep in reps}
    if not reps:
        return found
    live: dict[tuple[int, dt.date | None], Tally] = {}
    if max(first, today) <= last:
        live, _ = count(reps, max(first, today), last, now, company.zone, by_day=False)
    finished = min(last, today - dt.timedelta(days=1))
    if first <= finished:
        extra = max((tally.answered for tally in live.values()), default=0)
        for rep, tally in kept(reps, first, finished, now, company, extra).items():
            found[rep].add(tally)
    for (rep, _day), tally in live.items():
        found[rep].add(tally)
    return found


@keeper("team.days")
def keep_finished(owner_ids: list[int], now: dt.datetime) -> int:
    """The nightly count: the finished days of this quarter (and of this week, when it began in
    the last one) that the owners' kept rows lack: usually yesterday."""
    from extramile.team.figures import period_bounds

    company = Company.get()
    today = now.astimezone(company.zone).date()
    first = min(period_bounds("quarter", today)[0], period_bounds("week", today)[0])
    return ensure(sorted(owner_ids), first, today - dt.timedelta(days=1), now, company)
