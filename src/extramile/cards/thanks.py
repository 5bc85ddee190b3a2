"""Thank-you notes: a handwritten note after every sale, due within two working days.

A note is a ``Card`` of the built-in occasion ``thank_you`` (source ``sale``): one per customer
per sale day (the card's unique (customer, occasion, occasion_on) index), so a second sale the
same day joins the first one's note, and the note's draft thanks for everything bought that day
(the template field ``{purchase}``, rendered live). The rep who owns the relationship (the
customer's owner) writes it, whoever made the sale: the customer knows their rep, and Today,
the Cards page and the batch are all per owner.

``note_for_sale`` creates the note, and its Today item, at once when a sale is recorded
(``book.services.record_sale``); ``catch_up`` (the nightly preparer in ``cards/agenda.py``)
creates them, set-based, for sales that arrived without one (a bulk import, the demo). Sales
dated more than ``CATCH_UP_DAYS`` before today get no note: history imported later must not
flood Today.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import DateField, DateTimeField, IntegerField, Min, QuerySet, Value
from django.db.models.fields import BooleanField

from extramile import business_hours
from extramile.accounts.models import Company, User
from extramile.agenda import actions
from extramile.agenda.actions import put_many
from extramile.agenda.models import Action, ActionStatus, Priority
from extramile.agenda.registry import ActionSpec
from extramile.book.models import Customer, Sale, display_name
from extramile.cards.habits import THANK_YOU
from extramile.cards.models import Card, CardStatus, Occasion, OccasionPreference, Source
from extramile.cards.planning import COLUMNS, NO_POST, OPTED_OUT, PER_PERSON, insert_select

CODE = "thank_you"
# The note is due (its mail-by date) this many working days after the sale.
DUE_WORKING_DAYS = 2
# Sales older than this (in days before the owner's today) get no note.
CATCH_UP_DAYS = 14

NO_ADDRESS = "No postal address yet: add one."
OPEN = [CardStatus.PLANNED, CardStatus.WRITTEN]
PENDING = [ActionStatus.OPEN, ActionStatus.SNOOZED]

NOTE_COLUMNS = (*COLUMNS, "sale_id")


def note_occasion() -> Occasion | None:
    """The thank-you occasion (an admin may have changed its wording, never its code)."""
    return Occasion.objects.filter(code=CODE, source=Source.SALE).first()


def note_key(card_id: int) -> str:
    return THANK_YOU.key.build(card_id)


def is_note(card: Card) -> bool:
    return card.occasion.is_thank_you


def notes(cards: QuerySet[Card]) -> QuerySet[Card]:
    return cards.filter(occasion__source=Source.SALE)


def open_notes(owners: QuerySet[User]) -> QuerySet[Card]:
    """Notes still to write or mail (through the partial index ``card_open_notes``)."""
    return notes(Card.objects.filter(owner__in=owners, sale__isnull=False, status__in=OPEN))


def due_date(sale_day: dt.date, today: dt.date, hours: business_hours.BusinessHours) -> dt.date:
    """Two working days after the sale; a note recorded later than that is due on the next
    working day from today: late, not lost."""
    due = hours.add_working_days(sale_day, DUE_WORKING_DAYS)
    return max(due, hours.next_working_day(today))


def skip_reason(customer: Customer, occasion: Occasion) -> str:
    if customer.do_not_mail:
        return NO_POST
    if OccasionPreference.objects.filter(
        customer=customer, occasion=occasion, wants_card=False
    ).exists():
        return OPTED_OUT
    return ""


def too_old(sale_day: dt.date, today: dt.date) -> bool:
    return sale_day < today - dt.timedelta(days=CATCH_UP_DAYS)


@transaction.atomic
def note_for_sale(sale: Sale, now: dt.datetime) -> Card | None:
    """The thank-you note for ``sale``: created (with its Today item) or, when the customer has a
    note for that day already, that note, now thanking for this sale too. Skipped with the
    reason when the customer asked for no post or opted out; None for a sale more than
    ``CATCH_UP_DAYS`` old, or when the thank-you occasion has been removed."""
    occasion = note_occasion()
    if occasion is None:
        return None
    customer = Customer.objects.select_related("owner", "household").get(pk=sale.customer_id)
    owner = customer.owner
    hours = business_hours.for_user(owner)
    today = hours.local_date(now)
    if too_old(sale.date, today):
        return None
    reason = skip_reason(customer, occasion)
    card, created = Card.objects.get_or_create(
        customer=customer,
        occasion=occasion,
        occasion_on=sale.date,
        household=None,
        defaults={
            "year": sale.date.year,
            "mail_by": due_date(sale.date, today, hours),
            "owner": owner,
            "sale": sale,
            "handwritten": occasion.handwritten,
            "status": CardStatus.SKIPPED if reason else CardStatus.PLANNED,
            "skip_reason": reason,
            "created_at": now,
            "updated_at": now,
        },
    )
    if not created:
        if card.sale_id is None:
            card.sale = sale
        card.updated_at = now
        card.save(update_fields=["sale", "updated_at"])
    card.customer = customer
    card.occasion = occasion
    keep_action_in_step(card, now)
    return card


def note_of(sale: Sale) -> Card | None:
    """The note that thanks for ``sale`` (the customer's note for the sale's day), if any."""
    return (
        notes(Card.objects.filter(customer_id=sale.customer_id, occasion_on=sale.date))
        .select_related("occasion", "customer__household", "household")
        .first()
    )


def explain(sale: Sale, note: Card | None, now: dt.datetime) -> str:
    """One sentence for whoever recorded the sale: when the note is due, or why there is none."""
    if note is None:
        if note_occasion() is None:
            return "No thank-you note: the thank-you occasion has been removed."
        return (
            f"No thank-you note: the sale is more than {CATCH_UP_DAYS} days old "
            "(notes are for recent sales)."
        )
    name = note.customer.full_name
    if note.status == CardStatus.SKIPPED:
        return f"No thank-you note to {name}: {note.skip_reason}"
    if note.status == CardStatus.MAILED:
        return f"The thank-you note to {name} for this day has been mailed already."
    text = f"A thank-you note to {name} is due {note.mail_by:%a %d %b %Y} (note C-{note.pk})."
    return f"{text} {NO_ADDRESS}" if note.needs_address else text


# --- Today ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteItem:
    """What a note's Today item says, read without building model instances (the nightly plan
    reads every open note)."""

    pk: int
    owner_id: int
    customer_id: int
    name: str
    sale_day: dt.date
    mail_by: dt.date
    needs_address: bool

    @classmethod
    def of(cls, card: Card) -> NoteItem:
        return cls(
            card.pk,
            card.owner_id,
            card.customer_id,
            card.customer.full_name,
            card.occasion_on,
            card.mail_by,
            card.needs_address,
        )


ADDRESS = ("street", "city", "postal_code", "country")


def has_address(street: str, city: str, postal_code: str, country: str) -> bool:
    """``PostalAddress.has_postal_address`` on plain values."""
    return bool(street and city and (postal_code or country))


def open_note_items(owners: QuerySet[User]) -> list[NoteItem]:
    """Every open note of ``owners`` as a NoteItem, in one query."""
    columns = [
        "pk",
        "owner_id",
        "customer_id",
        "customer__first_name",
        "customer__last_name",
        "customer__company_name",
        "occasion_on",
        "mail_by",
        *(f"customer__{f}" for f in ADDRESS),
        *(f"customer__household__{f}" for f in ADDRESS),
    ]
    items = []
    for row in open_notes(owners).order_by().values_list(*columns).iterator(chunk_size=2000):
        pk, owner_id, customer_id, first, last, company, sale_day, mail_by = row[:8]
        own, household = row[8:12], row[12:16]
        name = display_name(first, last, company) or f"Customer #{customer_id}"
        addressed = has_address(*own) or (household[0] is not None and has_address(*household))
        items.append(NoteItem(pk, owner_id, customer_id, name, sale_day, mail_by, not addressed))
    return items


def purchases_by_day(
    pairs: Iterable[tuple[int, dt.date]],
) -> dict[tuple[int, dt.date], list[str]]:
    """What each note thanks for, in one query: (customer id, sale day) → descriptions."""
    pairs = list(pairs)
    found: dict[tuple[int, dt.date], list[str]] = defaultdict(list)
    if not pairs:
        return found
    sales = (
        Sale.objects.filter(
            customer_id__in={customer for customer, _ in pairs},
            date__in={day for _, day in pairs},
        )
        .order_by("id")
        .values_list("customer_id", "date", "description")
    )
    for customer_id, day, description in sales.iterator(chunk_size=5000):
        found[(customer_id, day)].append(description)
    return found


def what(bought: list[str]) -> str:
    from extramile.cards.messages import join_names

    return join_names(bought) or "their purchase"


def spec_for(note: NoteItem, bought: list[str]) -> ActionSpec:
    """The note's Today item: shown from the sale day, no expiry (a forgotten note stays)."""
    detail = (
        f"Sale on {note.sale_day:%a} {note.sale_day.day} {note.sale_day:%b}; "
        f"mail the note by {note.mail_by:%a} {note.mail_by.day} {note.mail_by:%b}."
    )
    if note.needs_address:
        detail += f" {NO_ADDRESS}"
    return ActionSpec(
        key=note_key(note.pk),
        kind=THANK_YOU.kind,
        owner_id=note.owner_id,
        customer_id=note.customer_id,
        title=f"Write a thank-you note to {note.name} for {what(bought)}",
        detail=detail,
        due_on=note.sale_day,
        priority=Priority.THANK_YOU,
    )


def keep_action_in_step(card: Card, now: dt.datetime) -> None:
    """Create or refresh an open note's Today item; close it when the note is mailed or skipped."""
    if card.status in OPEN:
        day = (card.customer_id, card.occasion_on)
        put_many([spec_for(NoteItem.of(card), purchases_by_day([day])[day])], now)
    else:
        close_actions([card.pk], card.status, now)


def close_actions(card_ids: Iterable[int], card_status: str, now: dt.datetime) -> int:
    """Close the Today items of notes just mailed (done) or skipped."""
    keys = [note_key(pk) for pk in card_ids]
    if not keys:
        return 0
    status = ActionStatus.DONE if card_status == CardStatus.MAILED else ActionStatus.SKIPPED
    return actions.close(keys, now, status)


def reopen_action(card: Card, now: dt.datetime) -> int:
    """A note taken back (reopened on the Cards page) is on Today again."""
    return actions.reopen(note_key(card.pk), now)


def card_of(action: Action) -> Card | None:
    """The note behind a thank-you item ("thanks:<card id>")."""
    pk = _card_id(action)
    return None if pk is None else _note_cards().filter(pk=pk).first()


def _card_id(action: Action) -> int | None:
    prefix, _, pk = action.key.partition(":")
    return int(pk) if prefix == "thanks" and pk.isdigit() else None


def _note_cards() -> QuerySet[Card]:
    return Card.objects.select_related("occasion", "customer__household", "household", "owner")


@dataclass(frozen=True)
class NoteRow:
    """A thank-you row's note: the card and what it thanks for ("the winter tyres")."""

    card: Card
    bought: str


def row_note(action: Action) -> NoteRow | None:
    """The row's note: attached by ``attach_notes`` for a page of rows, else read now."""
    if hasattr(action, "thank_you_note"):
        found: NoteRow | None = action.thank_you_note
        return found
    card = card_of(action)
    if card is None:
        return None
    day = (card.customer_id, card.occasion_on)
    return NoteRow(card, what(purchases_by_day([day])[day]))


def attach_row_notes(actions: Iterable[Action]) -> None:
    """``action.thank_you_note`` for each of ``actions``: the cards in one query, what each
    thanks for in another."""
    actions = list(actions)
    ids = {action.pk: _card_id(action) for action in actions}
    cards = _note_cards().in_bulk([pk for pk in ids.values() if pk is not None])
    bought = purchases_by_day({(c.customer_id, c.occasion_on) for c in cards.values()})
    for action in actions:
        pk = ids[action.pk]
        card = cards.get(pk) if pk is not None else None
        note = NoteRow(card, what(bought[(card.customer_id, card.occasion_on)])) if card else None
        action.thank_you_note = note  # type: ignore[attr-defined]


# --- The nightly catch-up ---------------------------------------------------------------------


def catch_up(day: dt.date, now: dt.datetime, owners: QuerySet[User]) -> int:
    """Notes for the last ``CATCH_UP_DAYS`` days' sales that have none (a bulk import, the demo),
    written set-based: one ``INSERT … SELECT … ON CONFLICT DO NOTHING`` per sale day, through the
    sale-date index (a day of sales for a million customers is a few thousand rows). Then skips
    the open notes of customers who asked for no post or opted out, and closes the Today items of
    notes mailed or skipped elsewhere. Idempotent; returns how many notes it created."""

    occasion = note_occasion()
    if occasion is None:
        return 0
    owner_ids = list(owners.filter(is_active=True).values_list("pk", flat=True))
    if not owner_ids:
        return 0
    hours = business_hours.for_company(Company.get())
    created = 0
    with transaction.atomic():
        for back in range(CATCH_UP_DAYS + 1):
            sale_day = day - dt.timedelta(days=back)
            rows = (
                Sale.objects.filter(date=sale_day, customer__owner_id__in=owner_ids)
                .order_by()
                .values("customer_id")
                .annotate(
                    c_occasion=Value(occasion.pk, IntegerField()),
                    c_year=Value(sale_day.year, IntegerField()),
                    c_on=Value(sale_day, DateField()),
                    c_mail_by=Value(due_date(sale_day, day, hours), DateField()),
                    c_owner=Min("customer__owner_id"),
                    c_none=Value(None, IntegerField()),
                    c_created=Value(now, DateTimeField()),
                    c_updated=Value(now, DateTimeField()),
                    c_handwritten=Value(occasion.handwritten, BooleanField()),
                    c_sale=Min("id"),
                )
                .values_list(
                    "c_occasion",
                    "c_year",
                    "c_on",
                    "c_mail_by",
                    "c_owner",
                    "customer_id",
                    "c_none",
                    "c_created",
                    "c_updated",
                    "c_handwritten",
                    "c_sale",
                )
            )
            created += insert_select(rows, PER_PERSON, NOTE_COLUMNS)
        withdraw(owners, now)
    close_finished(owners, now)
    return created


def withdraw(owners: QuerySet[User], now: dt.datetime) -> int:
    """Skip, with the reason, planned notes whose customer wants no post or no thank-you note."""
    planned = open_notes(owners).filter(status=CardStatus.PLANNED)
    count = planned.filter(customer__do_not_mail=True).update(
        status=CardStatus.SKIPPED, skip_reason=NO_POST, updated_at=now
    )
    opted_out = OccasionPreference.objects.filter(occasion__code=CODE, wants_card=False)
    count += planned.filter(customer_id__in=opted_out.values("customer_id")).update(
        status=CardStatus.SKIPPED, skip_reason=OPTED_OUT, updated_at=now
    )
    return count


def close_finished(owners: QuerySet[User], now: dt.datetime) -> int:
    """Close the open Today items of notes no longer open (skipped by ``withdraw`` or by the
    card planner's, mailed in a batch, deleted). A few per rep: read through Today's index."""
    pending = dict(
        Action.objects.filter(owner__in=owners, status__in=PENDING, kind=THANK_YOU.kind)
        .values_list("key", "pk")
        .iterator()
    )
    cards = THANK_YOU.key.ids(pending)  # key -> card
    ids = {card: pending[key] for key, card in cards.items()}
    if not ids:
        return 0
    states = dict(Card.objects.filter(pk__in=list(ids)).values_list("pk", "status"))
    closed = 0
    for status in (CardStatus.MAILED, CardStatus.SKIPPED):
        done = [pk for pk, state in states.items() if state == status]
        closed += close_actions(done, status, now)
    gone = [key for key, card in cards.items() if card not in states]
    closed += actions.close(gone, now, ActionStatus.SKIPPED, "The note was deleted.")
    return closed


def on_sale_recorded(sender: object, sale: Sale, now: dt.datetime, **kwargs: object) -> None:
    """``book.signals.sale_recorded``: every recorded sale gets its thank-you note."""
    note_for_sale(sale, now)
