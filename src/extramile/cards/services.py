"""What a rep does with a card: write it, mark it written (through the guard), handwritten,
skipped or mailed. Plain functions taking ``now``; each keeps the batch's Today item in step, and
a thank-you note's own item (``thanks.py``).

Status moves planned → written → mailed, or to skipped with a reason. Updates are optimistic
(``filter(status=…).update()``), so a double click never mails a card twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from extramile.accounts.models import User
from extramile.agenda import actions
from extramile.book.models import Customer
from extramile.cards import guard, messages, thanks
from extramile.cards.agenda import batch_key
from extramile.cards.models import (
    Card,
    CardStatus,
    CardTemplate,
    Occasion,
    OccasionPreference,
    Source,
)

MAX_MESSAGE = 4000


class GuardRefused(ValidationError):
    """The personalisation guard objected; ``verdict.reason`` says why."""

    def __init__(self, verdict: guard.Verdict) -> None:
        super().__init__(verdict.reason)
        self.verdict = verdict


@dataclass
class Tally:
    """A batch at a glance: cards per status, and the open ones that still need an address."""

    counts: dict[str, int]
    unaddressed: list[Card]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def tally(cards: Iterable[Card]) -> Tally:
    """Count a batch in one pass (select the customer's household and the household first)."""
    result = Tally(dict.fromkeys(CardStatus.values, 0), [])
    for card in cards:
        result.counts[card.status] += 1
        if card.is_open and card.needs_address:
            result.unaddressed.append(card)
    return result


def check(card: Card, message: str) -> guard.Verdict:
    """The guard's verdict on ``message`` for ``card`` (nothing is saved)."""
    if card.handwritten:
        return guard.Verdict(True)
    people = messages.members(card)
    recipient = guard.recipient_of(card, people)
    lang = messages.card_language(card)
    first = lang.join([p.preferred_name or p.first_name for p in people])
    return guard.judge(
        message,
        messages.draft(card),
        recipient,
        guard.earlier_cards(card),
        first or card.recipient_name,
        guard.book_of(card, people, recipient),
    )


def clean_message(message: str) -> str:
    message = message.replace("\r\n", "\n").replace("\x00", "").strip()
    if len(message) > MAX_MESSAGE:
        raise ValidationError(f"A card holds {MAX_MESSAGE} characters at most.")
    return message


def _require_open(card: Card) -> None:
    if card.status == CardStatus.MAILED:
        raise ValidationError("This card has been mailed already.")
    if card.status == CardStatus.SKIPPED:
        raise ValidationError("This card was skipped; reopen it first.")


def save_draft(card: Card, message: str, now: dt.datetime) -> Card:
    """Keep the words without marking the card written."""
    _require_open(card)
    card.message = clean_message(message)
    card.personal = check(card, card.message).personal
    card.updated_at = now
    card.save(update_fields=["message", "personal", "updated_at"])
    return card


def mark_written(card: Card, message: str, now: dt.datetime, override: str = "") -> Card:
    """Mark the card written (ready to print). Refused with the guard's reason while the message is
    generic or a near-copy, unless ``override`` says why it should go anyway."""
    _require_open(card)
    message = clean_message(message)
    override = override.strip()[:300]
    verdict = check(card, message)
    if not verdict.ok and not override:
        raise GuardRefused(verdict)
    card.message = message
    card.personal = verdict.personal
    card.override_reason = "" if verdict.ok else override
    card.status = CardStatus.WRITTEN
    card.written_at = now
    card.updated_at = now
    card.save(
        update_fields=[
            "message",
            "personal",
            "override_reason",
            "status",
            "written_at",
            "updated_at",
        ]
    )
    return card


def mark_handwritten(card: Card, now: dt.datetime) -> Card:
    """The rep writes this card by hand: only its envelope and label are printed."""
    _require_open(card)
    card.handwritten = True
    card.status = CardStatus.WRITTEN
    card.override_reason = ""
    card.written_at = now
    card.updated_at = now
    card.save(
        update_fields=["handwritten", "status", "override_reason", "written_at", "updated_at"]
    )
    return card


def skip(card: Card, reason: str, now: dt.datetime) -> Card:
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why this card is skipped.")
    _require_open(card)
    with transaction.atomic():
        Card.objects.filter(pk=card.pk).update(
            status=CardStatus.SKIPPED, skip_reason=reason[:300], updated_at=now
        )
        close_finished_batches([(card.owner_id, card.mail_by)], now)
        thanks.close_actions([card.pk], CardStatus.SKIPPED, now)
    card.refresh_from_db()
    return card


def reopen(card: Card, now: dt.datetime) -> Card:
    """Back to planned: undo a skip, or take back a written card to change it."""
    if card.status == CardStatus.MAILED:
        raise ValidationError("This card has been mailed already.")
    with transaction.atomic():
        Card.objects.filter(pk=card.pk).update(
            status=CardStatus.PLANNED,
            skip_reason="",
            handwritten=card.occasion.handwritten,
            written_at=None,
            updated_at=now,
        )
        if card.occasion.is_thank_you:
            thanks.reopen_action(card, now)
    card.refresh_from_db()
    return card


def mark_mailed(cards: QuerySet[Card], now: dt.datetime) -> int:
    """Mark the written cards among ``cards`` mailed (planned ones are not ready and stay)."""
    with transaction.atomic():
        written = cards.filter(status=CardStatus.WRITTEN)
        batches = set(written.values_list("owner_id", "mail_by").distinct())
        notes = list(thanks.notes(written).values_list("pk", flat=True))
        count = Card.objects.filter(pk__in=written.values("pk")).update(
            status=CardStatus.MAILED, mailed_at=now, updated_at=now
        )
        close_finished_batches(batches, now)
        thanks.close_actions(notes, CardStatus.MAILED, now)
    return count


def close_finished_batches(batches: set[tuple[int, dt.date]] | list, now: dt.datetime) -> int:
    """Close the Today item of every batch whose cards are all mailed or skipped."""
    closed = 0
    for owner_id, mail_by in batches:
        still_open = (
            Card.objects.filter(
                owner_id=owner_id,
                mail_by=mail_by,
                status__in=[CardStatus.PLANNED, CardStatus.WRITTEN],
            )
            .exclude(occasion__source=Source.SALE)  # thank-you notes have their own items
            .exists()
        )
        if not still_open:
            closed += actions.close(batch_key(owner_id, mail_by), now)
    return closed


def set_preference(customer: Customer, occasion: Occasion, choice: str) -> None:
    """``choice``: "yes" (send this card), "no" (never), or "" (the company's default)."""
    if choice not in {"yes", "no", ""}:
        raise ValidationError(f"“{choice}” is not a choice: yes, no or the company's default.")
    if not choice:
        OccasionPreference.objects.filter(customer=customer, occasion=occasion).delete()
        return
    OccasionPreference.objects.update_or_create(
        customer=customer, occasion=occasion, defaults={"wants_card": choice == "yes"}
    )


def preferences_of(customer: Customer) -> list[tuple[Occasion, str]]:
    """Every occasion with the customer's own choice ("yes", "no" or "" for the default)."""
    chosen = dict(
        OccasionPreference.objects.filter(customer=customer).values_list(
            "occasion_id", "wants_card"
        )
    )
    return [
        (occasion, "" if occasion.pk not in chosen else ("yes" if chosen[occasion.pk] else "no"))
        for occasion in Occasion.objects.exclude(code__startswith="monthly-").order_by(
            "-sends_by_default", "name"
        )
    ]


def save_template(
    user: User, occasion: Occasion, text: str, language: str = ""
) -> CardTemplate | None:
    """A rep's own wording for an occasion in ``language`` ("" = the company's language); empty
    text goes back to the company's (or the language's built-in) wording."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        CardTemplate.objects.filter(user=user, occasion=occasion, language=language).delete()
        return None
    error = messages.check_template(text)
    if error:
        raise ValidationError(error)
    if len(text) > MAX_MESSAGE:
        raise ValidationError(f"A template holds {MAX_MESSAGE} characters at most.")
    template, _ = CardTemplate.objects.update_or_create(
        user=user, occasion=occasion, language=language, defaults={"text": text}
    )
    return template
