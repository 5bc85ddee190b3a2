"""How cards reach the agenda: planned ahead every night, and one Today item per batch.

A rep's cards that share a mail-by date are one batch and one item on Today, shown a few days
before that date ("Mail 4 cards by Fri 27 Nov"): a Christmas season of thousands of cards stays
one line, not thousands. The card itself (``Card``, one per recipient, occasion and year) is the
unit of work; the batch item closes when its last card is mailed or skipped.

Thank-you notes (``thanks.py``) are not part of a batch: each is its own Today item ("Write a
thank-you note to Anna Smith for a sofa"), from the sale day until it is mailed or skipped.
Articles by post (``articles/delivery.py``) are ordinary cards of the batch ("Article by post 3").
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet

from extramile.accounts.models import Company, User
from extramile.agenda.models import Action, Priority
from extramile.agenda.registry import ActionSpec, completer, planner, preparer
from extramile.cards import monthly, thanks
from extramile.cards.habits import CARDS, THANK_YOU
from extramile.cards.models import Card, CardStatus, Source
from extramile.cards.planning import plan_cards

# Cards are planned this many days ahead of their mail-by date, so the Cards page shows what is
# coming and a rep can write early.
HORIZON = dt.timedelta(days=14)
# A batch shows on Today this many days before its mail-by date.
SHOW_AHEAD = dt.timedelta(days=3)


def batch_key(owner_id: int, mail_by: dt.date) -> str:
    return CARDS.key.build(owner_id, mail_by)


@preparer("cards")
def prepare_cards(day: dt.date, now: dt.datetime, owners: QuerySet[User]) -> int:
    """Plan the cards due to be mailed within the horizon, and any still in time for an occasion
    from today on whose mail-by date has passed (a customer added this week, say): late, not lost."""
    lead = dt.timedelta(days=Company.get().card_lead_days)
    created = plan_cards(day - lead, day + HORIZON, now, owners, not_before=day).created
    # The monthly programme (when switched on) after the occasions, so its cards keep a week
    # away from theirs.
    for year, month in monthly.months_ahead(day):
        created += monthly.plan_month(year, month, now, owners).created
    return created


def open_cards(owners: QuerySet[User] | list[int]) -> QuerySet[Card]:
    """Open cards of the batches (thank-you notes are Today items of their own)."""
    return Card.objects.filter(
        owner__in=owners, status__in=[CardStatus.PLANNED, CardStatus.WRITTEN]
    ).exclude(occasion__source=Source.SALE)


@dataclass(frozen=True)
class Batch:
    """A rep's open cards that share a mail-by date, as they stand: what Today's item and the
    calendar feed both say about it."""

    owner_id: int
    mail_by: dt.date
    parts: list[tuple[str, int]]  # (occasion, cards), largest first
    total: int
    written: int
    last: dt.date  # the latest occasion of the batch

    def title(self, day: dt.date) -> str:
        what = ", ".join(f"{name} {count}" for name, count in self.parts)
        cards = "card" if self.total == 1 else "cards"
        on = f"{self.mail_by:%a} {self.mail_by.day} {self.mail_by:%b}"
        when = f"now, due {on}" if self.mail_by < day else f"by {on}"
        return f"Mail {self.total} {cards} {when}: {what}"

    @property
    def detail(self) -> str:
        return (
            f"{self.written} of {self.total} written. Write each one on the Cards page, then "
            "print and post the batch."
        )


def batches(owners: QuerySet[User] | list[int], day: dt.date, last: dt.date) -> list[Batch]:
    """The open batches of ``owners`` (users or ids) with a mail-by date up to ``last`` whose
    occasions are not past on ``day``: one grouped query, read by the planner, by Today's rows
    (live counts) and by the calendar feed, so they never disagree."""
    rows = (
        open_cards(owners)
        .filter(mail_by__lte=last, occasion_on__gte=day)
        .values("owner_id", "mail_by", "occasion__name")
        .annotate(
            count=Count("id"),
            written=Count("id", filter=Q(status=CardStatus.WRITTEN)),
            last=Max("occasion_on"),
        )
        .order_by("owner_id", "mail_by", "-count", "occasion__name")
    )
    grouped: dict[tuple[int, dt.date], list[dict]] = defaultdict(list)
    for row in rows:
        grouped[(row["owner_id"], row["mail_by"])].append(row)
    return [
        Batch(
            owner_id=owner_id,
            mail_by=mail_by,
            parts=[(p["occasion__name"], p["count"]) for p in parts],
            total=sum(p["count"] for p in parts),
            written=sum(p["written"] for p in parts),
            last=max(p["last"] for p in parts),
        )
        for (owner_id, mail_by), parts in grouped.items()
    ]


def batch_counts(
    owner_ids: list[int], day: dt.date, last: dt.date
) -> dict[tuple[int, dt.date], Batch]:
    return {(b.owner_id, b.mail_by): b for b in batches(owner_ids, day, last)}


@planner("cards")
def card_batches(day: dt.date, now: dt.datetime, owners: QuerySet[User]) -> Iterator[ActionSpec]:
    for batch in batches(owners, day, day + SHOW_AHEAD):
        yield ActionSpec(
            key=batch_key(batch.owner_id, batch.mail_by),
            kind=CARDS.kind,
            owner_id=batch.owner_id,
            title=batch.title(day),
            detail=batch.detail,
            due_on=batch.mail_by - SHOW_AHEAD,
            expires_on=batch.last,
            priority=Priority.CARDS,
        )


@preparer("thanks")
def prepare_thank_you_notes(day: dt.date, now: dt.datetime, owners: QuerySet[User]) -> int:
    """Notes for recent sales recorded without one (an import, the demo); see thanks.catch_up."""
    return thanks.catch_up(day, now, owners)


@planner("thanks")
def thank_you_notes(day: dt.date, now: dt.datetime, owners: QuerySet[User]) -> Iterator[ActionSpec]:
    """One item per open note, refreshed every night (an address added since drops the warning)."""
    notes = thanks.open_note_items(owners)
    bought = thanks.purchases_by_day((note.customer_id, note.sale_day) for note in notes)
    for note in notes:
        yield thanks.spec_for(note, bought[(note.customer_id, note.sale_day)])


@completer(THANK_YOU.kind)
def note_mailed(action: Action, now: dt.datetime, outcome: str) -> None:
    """Done on Today means the note went in the post: written by hand (if not marked yet), then
    mailed."""
    from extramile.cards import services

    card = thanks.card_of(action)
    if card is None or not card.is_open:
        return
    if card.status == CardStatus.PLANNED:
        services.mark_handwritten(card, now)
    services.mark_mailed(Card.objects.filter(pk=card.pk), now)
