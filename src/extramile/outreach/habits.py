"""The calls' habits: the proactive call of the day and the follow-up a call leads to."""

from __future__ import annotations

from extramile.agenda.habits import Habit, Key
from extramile.agenda.models import Priority

CALL = Habit(
    kind="call",
    label="Proactive call",
    priority=Priority.CALL,
    key=Key("call"),  # call:<customer>:<day>
    has_row=True,
)
FOLLOW_UP = Habit(
    kind="follow_up",
    label="Follow up",
    priority=Priority.HIGH,
    key=Key("followup"),  # followup:referral:<referral>, followup:call:<action>
)
HABITS = (CALL, FOLLOW_UP)
