"""``{% thank_you_note action as note %}``: the note behind a thank-you row on Today."""

from __future__ import annotations

from django import template

from extramile.agenda.models import Action
from extramile.cards import thanks

register = template.Library()


@register.simple_tag
def thank_you_note(action: Action) -> thanks.NoteRow | None:
    """The note behind the row: attached for a page of rows (``habits.prefetch``), else one
    query through the card's primary key (a row swapped in alone)."""
    return thanks.row_note(action)
