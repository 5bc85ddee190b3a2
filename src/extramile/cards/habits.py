"""The cards' habits: the batch of cards to mail by a date, and the thank-you note after a sale."""

from __future__ import annotations

from extramile.agenda.habits import Habit, Key
from extramile.agenda.models import Priority

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
)
HABITS = (CARDS, THANK_YOU)
