"""The inbox's habit: a reply owed within the hour."""

from __future__ import annotations

from typing import Any

from extramile.agenda.habits import Habit, Key
from extramile.agenda.models import Priority


def attach_messages(actions: list[Any]) -> None:
    """``action.reply_message`` for a page of "Reply owed" actions, in one query (None when the
    message is gone)."""
    from extramile.inbox.models import InboundMessage  # the models build keys with REPLY

    ids = REPLY.key.ids(action.key for action in actions)
    found = InboundMessage.objects.select_related("customer", "owner").in_bulk(list(ids.values()))
    for action in actions:
        pk = ids.get(action.key)
        action.reply_message = found.get(pk) if pk is not None else None


REPLY = Habit(
    kind="reply",
    label="Reply owed",
    priority=Priority.REPLY,
    key=Key("reply"),  # reply:<inbound message>
    has_row=True,
    own_deadline=True,
    prefetch=attach_messages,
)
HABITS = (REPLY,)
