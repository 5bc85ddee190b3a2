"""Reply figures: the median response time and the share answered within the target.

A message counts once it is answered or overdue: answered in time is "within"; answered late, or
still unanswered past its deadline, is not. Messages still inside their deadline are not judged
yet. The median is over answered messages, in business minutes.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

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


def summarise(rows: Iterable[tuple[int | None, bool, bool]]) -> ReplyFigures:
    """From ``(response minutes or None, replied, late)`` per message."""
    minutes: list[int] = []
    within = late = 0
    for response, replied, is_late in rows:
        if replied and response is not None:
            minutes.append(response)
        if is_late:
            late += 1
        elif replied:
            within += 1
    return ReplyFigures(
        answered=len(minutes),
        within=within,
        late=late,
        median_minutes=statistics.median(minutes) if minutes else None,
    )


def judged_rows(
    messages: QuerySet[InboundMessage], now: dt.datetime, *extra: str
) -> Iterator[tuple[Any, ...]]:
    for row in judged(messages, now).values_list(
        "response_minutes", "replied_at", "reply_due_at", "breached", *extra
    ):
        response, replied_at, due, breached = row[:4]
        late = (
            breached
            or (replied_at is None and due < now)
            or (replied_at is not None and replied_at > due)
        )
        yield (response, replied_at is not None, late, *row[4:])


def reply_figures(messages: QuerySet[InboundMessage], now: dt.datetime) -> ReplyFigures:
    """Figures over ``messages`` (scope and period them first: a rep's, a team's, last 30 days)."""
    return summarise(row[:3] for row in judged_rows(messages, now))


def figures_by_owner(
    messages: QuerySet[InboundMessage], now: dt.datetime
) -> dict[int | None, ReplyFigures]:
    """The same figures per owner (None: unassigned), in one query."""
    grouped: dict[int | None, list[tuple[int | None, bool, bool]]] = defaultdict(list)
    for response, replied, late, owner_id in judged_rows(messages, now, "owner_id"):
        grouped[owner_id].append((response, replied, late))
    return {owner_id: summarise(rows) for owner_id, rows in grouped.items()}
