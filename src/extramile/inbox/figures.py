"""Reply figures: the median response time and the share answered within the target.

A message counts once it is answered or overdue: answered in time is "within"; answered late, or
still unanswered past its deadline, is not. Messages still inside their deadline are not judged
yet. The median is over answered messages, in business minutes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, F, Q, QuerySet, When

from extramile.inbox.models import InboundMessage


@dataclass(frozen=True)
class ReplyFigures:
    answered: int = 0
    within: int = 0  # answered by the deadline
    late: int = 0  # answered late, or unanswered past the deadline
    median_minutes: float | None = None

    @property
    def judged(self) -> int:
        return self.within + self.late

    @property
    def share_within(self) -> float | None:
        """Between 0 and 1; None when nothing can be judged yet."""
        return self.within / self.judged if self.judged else None

    @property
    def percent_within(self) -> str:
        share = self.share_within
        return "–" if share is None else f"{share:.0%}"


def judged(messages: QuerySet[InboundMessage], now: dt.datetime) -> QuerySet[InboundMessage]:
    return messages.filter(Q(replied_at__isnull=False) | Q(reply_due_at__lt=now))


def summarise(rows: Iterable[tuple[int | None, bool, bool, int]]) -> ReplyFigures:
    """From ``(response minutes or None, replied, late, how many messages)`` groups."""
    minutes: dict[int, int] = defaultdict(int)
    within = late = 0
    for response, replied, is_late, count in rows:
        if replied and response is not None:
            minutes[response] += count
        if is_late:
            late += count
        elif replied:
            within += count
    answered = sum(minutes.values())
    return ReplyFigures(
        answered=answered,
        within=within,
        late=late,
        median_minutes=weighted_median(minutes) if answered else None,
    )


def weighted_median(counts: dict[int, int]) -> float:
    """The median of a multiset given as value → how many times (as ``statistics.median``: the
    mean of the two middle values when their number is even)."""
    total = sum(counts.values())
    middle = [(total - 1) // 2, total // 2]  # 0-based positions of the middle value(s)
    found: list[int] = []
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        while len(found) < 2 and middle[len(found)] < seen:
            found.append(value)
        if len(found) == 2:
            break
    return (found[0] + found[1]) / 2


def judged_groups(
    messages: QuerySet[InboundMessage], now: dt.datetime, *extra: str
) -> Iterator[tuple[Any, ...]]:
    """``(response minutes, replied, late, *extra, how many)`` over the judged messages, counted
    by the database (a year of a company's messages is a few thousand groups, not 150,000 rows)."""
    late = (
        Q(breached=True)
        | Q(replied_at__isnull=True, reply_due_at__lt=now)
        | Q(replied_at__isnull=False, replied_at__gt=F("reply_due_at"))
    )
    rows = (
        judged(messages, now)
        .annotate(
            # 1/0 rather than booleans: integers need no conversion per row on SQLite
            is_replied=Case(When(replied_at__isnull=False, then=1), default=0),
            is_late=Case(When(late, then=1), default=0),
        )
        .values_list("response_minutes", "is_replied", "is_late", *extra)
        .annotate(count=Count("pk"))
        .order_by()
    )
    for response, replied, is_late, *rest in rows:
        yield (response, bool(replied), bool(is_late), *rest)


def reply_figures(messages: QuerySet[InboundMessage], now: dt.datetime) -> ReplyFigures:
    """Figures over ``messages`` (scope and period them first: a rep's, a team's, last 30 days)."""
    return summarise(judged_groups(messages, now))


def figures_by_owner(
    messages: QuerySet[InboundMessage], now: dt.datetime
) -> dict[int | None, ReplyFigures]:
    """The same figures per owner (None: unassigned), in one query."""
    grouped: dict[int | None, list[tuple[int | None, bool, bool, int]]] = defaultdict(list)
    for response, replied, late, owner_id, count in judged_groups(messages, now, "owner_id"):
        grouped[owner_id].append((response, replied, late, count))
    return {owner_id: summarise(rows) for owner_id, rows in grouped.items()}
