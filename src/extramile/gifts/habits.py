"""The milestone gift: a suggested gift on the 5th, 10th and 20th anniversary of a customer's
first purchase. A value-adding extra: done with the answer to the value question, and not
suggested while the customer waits for an overdue promise."""

from __future__ import annotations

from extramile.agenda.habits import Habit, Key
from extramile.agenda.models import Priority

GIFT = Habit(
    kind="milestone_gift",
    label="Milestone gift",
    priority=Priority.NORMAL,
    key=Key("gift"),  # gift:<customer>:<years>
    value_adding=True,
    held_back=True,
    has_row=True,  # templates/agenda/kinds/milestone_gift.html
)
HABITS = (GIFT,)
