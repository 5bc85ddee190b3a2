"""The cards' habits: the batch of cards to mail by a date, and the thank-you note after a sale."""

from __future__ import annotations

from typing import Any

from extramile.agenda.habits import Habit, Key
from extramile.agenda.models import Priority


def attach_notes(actions: list[Any]) -> None:
    """``action.thank_you_note`` (the card and what was bought) for a page of thank-you rows:
    one query for the cards, one for the sales."""
    from extramile.cards.thanks import attach_row_notes  # the models import the habits

    attach_row_notes(actions)


CARDS = Habit(
    kind="cards",
    label="Mail cards",
    priority=Priority.CARDS,
    key=Key("cards"),  # cards:<owner>:<mail-by date>
    own_deadline=True,
    in_calendar=False,  # the feed shows the cards' mail-by dates itself
)
THANK_YOU = Habit(
    kind="thank_you",
    label="Thank-you note",
    priority=Priority.THANK_YOU,
    key=Key("thanks"),  # thanks:<card>
    has_row=True,
    own_deadline=True,
    prefetch=attach_notes,
)
HABITS = (CARDS, THANK_YOU)
