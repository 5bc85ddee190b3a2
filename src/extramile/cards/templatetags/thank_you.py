"""``{% thank_you_note action as note %}``: the note behind a thank-you row on Today."""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from extramile.agenda.models import Action
from extramile.cards import thanks
from extramile.cards.models import Card

register = template.Library()


@dataclass(frozen=True)
class NoteRow:
    card: Card
    bought: str


@register.simple_tag
def thank_you_note(action: Action) -> NoteRow | None:
    """One query per thank-you row (a handful on a page), through the card's primary key."""
    card = thanks.card_of(action)
    if card is None:
        return None
    day = (card.customer_id, card.occasion_on)
    return NoteRow(card, thanks.what(thanks.purchases_by_day([day])[day]))
