"""The value app's habit: breakfast or lunch with one of the best customers."""

from __future__ import annotations

from typing import Any

from extramile.agenda.habits import Habit, Key
from extramile.agenda.models import Priority


def attach_invitations(actions: list[Any]) -> None:
    """``action.lunch_invitation`` for a page of lunch actions, in one query."""
    from extramile.value.models import Invitation

    ids = LUNCH.key.ids(action.key for action in actions)
    found = Invitation.objects.select_related("customer", "owner").in_bulk(list(ids.values()))
    for action in actions:
        pk = ids.get(action.key)
        action.lunch_invitation = found.get(pk) if pk is not None else None


LUNCH = Habit(
    kind="lunch",
    label="Breakfast or lunch",
    priority=Priority.NORMAL,
    key=Key("lunch"),  # lunch:<invitation>
    value_adding=True,
    held_back=True,
    has_row=True,
    prefetch=attach_invitations,
)
HABITS = (LUNCH,)
