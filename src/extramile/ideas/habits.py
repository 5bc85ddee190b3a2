"""The week's habits: the intention stated on Monday (and kept or not), and the surprise."""

from __future__ import annotations

from extramile.agenda.habits import Habit, Key
from extramile.agenda.models import Priority

INTENTION = Habit(
    kind="intention",
    label="Weekly intention",
    priority=Priority.NORMAL,
    key=Key("intention"),  # intention:<user>:<week start>
    has_row=True,
)
# The Friday look back at the week's intention is an action of the same kind.
INTENTION_REVIEW = Key("intention-review")  # intention-review:<user>:<week start>
SURPRISE = Habit(
    kind="surprise",
    label="Weekly surprise",
    priority=Priority.NORMAL,
    key=Key("surprise"),  # surprise:<user>:<week start>
    value_adding=True,
    held_back=True,
    has_row=True,
)
HABITS = (INTENTION, SURPRISE)
