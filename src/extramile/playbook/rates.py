"""Win rates with and without each against-the-crowd move: the one place they are computed.

Over the closed opportunities (won + lost) of the queryset given (already scoped and limited to a
period by the caller). "With" counts the opportunities whose checklist says the move was used;
"without" all the others, answered "no" or left at "not yet": once a deal is closed, a move that
was not made by then was not made. Two aggregate queries, whatever the number of opportunities.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from extramile.playbook.models import (
    CLOSED_STAGES,
    MOVE_EXPLANATIONS,
    Move,
    MoveCheck,
    MoveUse,
    Opportunity,
    Stage,
)

# Fewer closed opportunities than this on a side and its rate is not shown: 2 of 3 is not "67 %".
MIN_SAMPLE = 5


@dataclass(frozen=True)
class Side:
    """One side of a comparison: ``won`` of ``total`` closed opportunities."""

    won: int
    total: int

    @property
    def enough(self) -> bool:
        return self.total >= MIN_SAMPLE

    @property
    def rate(self) -> float | None:
        """The win rate in percent, or None when there are too few to say."""
        return 100 * self.won / self.total if self.enough else None

    def describe(self, which: str) -> str:
        """“62 % of 13 with”, or “not enough data (3 without)”."""
        if self.rate is None:
            return f"not enough data ({self.total} {which})"
        return f"{self.rate:.0f} % of {self.total} {which}"


@dataclass(frozen=True)
class MoveRate:
    move: str
    label: str
    explanation: str
    with_move: Side
    without_move: Side

    @property
    def text(self) -> str:
        return f"{self.with_move.describe('with')}, {self.without_move.describe('without')}"

    @property
    def difference(self) -> float | None:
        """Points gained with the move, when both sides have enough data."""
        if self.with_move.rate is None or self.without_move.rate is None:
            return None
        return self.with_move.rate - self.without_move.rate


def closed(
    opportunities: QuerySet[Opportunity],
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[Opportunity]:
    """The won and lost opportunities of ``opportunities`` closed within [since, until]."""
    found = opportunities.filter(stage__in=CLOSED_STAGES)
    if since is not None:
        found = found.filter(closed_on__gte=since)
    if until is not None:
        found = found.filter(closed_on__lte=until)
    return found


def win_rates(opportunities: QuerySet[Opportunity]) -> list[MoveRate]:
    """For each move in the playbook's order, the win rate with and without it, with counts."""
    chosen = opportunities.filter(stage__in=CLOSED_STAGES)
    totals = overall(chosen)
    used = {
        row["move"]: row
        for row in MoveCheck.objects.filter(opportunity__in=chosen.values("pk"), used=MoveUse.YES)
        .values("move")
        .annotate(total=Count("pk"), won=Count("pk", filter=Q(opportunity__stage=Stage.WON)))
    }
    rates = []
    for move in Move:
        row = used.get(move.value, {"total": 0, "won": 0})
        rates.append(
            MoveRate(
                move=move.value,
                label=str(move.label),
                explanation=MOVE_EXPLANATIONS[move.value],
                with_move=Side(won=row["won"], total=row["total"]),
                without_move=Side(won=totals.won - row["won"], total=totals.total - row["total"]),
            )
        )
    return rates


def overall(opportunities: QuerySet[Opportunity]) -> Side:
    """The plain win rate of the closed opportunities given."""
    totals = opportunities.filter(stage__in=CLOSED_STAGES).aggregate(
        total=Count("pk"), won=Count("pk", filter=Q(stage=Stage.WON))
    )
    return Side(won=totals["won"], total=totals["total"])
