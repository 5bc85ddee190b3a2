"""The culture's habit: one extra-mile story a week, and the story of a request put right."""

from __future__ import annotations

from extramile.agenda.habits import Habit, Key
from extramile.agenda.models import Priority

STORY = Habit(
    kind="story",
    label="Extra-mile story",
    priority=Priority.NORMAL,
    key=Key("story"),  # story:<user>:<week start>
    has_row=True,
)
# The story of a went-wrong request, drafted when it was resolved: an action of the same kind.
REQUEST_STORY = Key("story:request")  # story:request:<service request>
HABITS = (STORY,)
