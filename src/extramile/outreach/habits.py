"""The calls' habits: the proactive call of the day and the follow-up a call leads to."""

from __future__ import annotations

from typing import Any

from django.db.models import prefetch_related_objects

from extramile.agenda.habits import Habit, Key
from extramile.agenda.models import Priority


def attach_phones(actions: list[Any]) -> None:
    """The customers' phone numbers for a page of call rows (the row's tel: link), in one query."""
    prefetch_related_objects([a.customer for a in actions if a.customer is not None], "phones")


CALL = Habit(
    kind="call",
    label="Proactive call",
    priority=Priority.CALL,
    key=Key("call"),  # call:<customer>:<day>
    has_row=True,
    prefetch=attach_phones,
)
FOLLOW_UP = Habit(
    kind="follow_up",
    label="Follow up",
    priority=Priority.HIGH,
    key=Key("followup"),  # followup:referral:<referral>, followup:call:<action>
)
HABITS = (CALL, FOLLOW_UP)
