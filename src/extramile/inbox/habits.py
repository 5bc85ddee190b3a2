"""The inbox's habit: a reply owed within the hour."""

from __future__ import annotations

from extramile.agenda.habits import Habit, Key
from extramile.agenda.models import Priority

REPLY = Habit(
    kind="reply",
    label="Reply owed",
    priority=Priority.REPLY,
    key=Key("reply"),  # reply:<inbound message>
    has_row=True,
    own_deadline=True,
)
HABITS = (REPLY,)
