"""Template helpers: a lunch item's invitation, and a customer's score explained in one line."""

from __future__ import annotations

import datetime as dt

from django import template

from extramile.agenda.models import Action
from extramile.value.explain import explain
from extramile.value.lunches import invitation_of
from extramile.value.models import Invitation, ValueScore

register = template.Library()


@register.simple_tag
def lunch_invitation(action: Action) -> Invitation | None:
    """The invitation behind a lunch row: attached for the whole page by ``habits.prefetch`` on
    Today, else fetched for this row."""
    if hasattr(action, "lunch_invitation"):
        invitation: Invitation | None = getattr(action, "lunch_invitation", None)
        return invitation
    return invitation_of(action)


@register.simple_tag
def value_line(score: ValueScore, today: dt.date) -> str:
    return explain(score, today)
