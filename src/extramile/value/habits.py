"""The value app's habit: breakfast or lunch with one of the best customers."""

from __future__ import annotations

from extramile.agenda.habits import Habit, Key
from extramile.agenda.models import Priority

LUNCH = Habit(
    kind="lunch",
    label="Breakfast or lunch",
    priority=Priority.NORMAL,
    key=Key("lunch"),  # lunch:<invitation>
    value_adding=True,
    held_back=True,
    has_row=True,
)
HABITS = (LUNCH,)
