"""Thank-you notes: one handwritten note per customer per sale day, due in two working days, on
Today at once, in the batch's envelopes and labels, and closed when mailed."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from extramile import business_hours
from extramile.accounts.models import User
from extramile.agenda import services as agenda
from extramile.agenda.engine import plan
from extramile.agenda.models import Action, ActionStatus, Priority
from extramile.book.models import Customer, Sale
from extramile.book.services import record_sale
from extramile.cards import output, services, thanks
from extramile.cards.agenda import card_batches
from extramile.cards.models import Card, CardStatus, Occasion, OccasionPreference
from extramile.cards.planning import plan_cards
from extramile.cards.printing import PrintError
from tests.conftest import NOW, make_customer

ADDRESS = {"street": "12 Elm Street", "city": "Springfield", "region": "IL", "postal_code": "62704"}
MONDAY = dt.date(2026, 11, 23)


def sell(customer: Customer, day: dt.date, what: str = "a sofa", now: dt.datetime = NOW) -> Sale:
    return record_sale(customer, day, what, Decimal("1249.00"), customer.owner, now=now)


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(17), tzinfo=dt.UTC)


def note_action(card: Card) -> Action:
    return Action.objects.get(key=f"thanks:{card.pk}")


def pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages
    )


@pytest.fixture
def anna(owner) -> Customer:
    return make_customer(owner, "Anna", "Smith", **ADDRESS)


# --- The note -----------------------------------------------------------------------------------


def test_a_sale_creates_one_handwritten_note_due_in_two_working_days(anna, owner):
    sale = sell(anna, MONDAY)
    [card] = Card.objects.filter(customer=anna)
    assert card.occasion.code == "thank_you"
    assert (card.occasion_on, card.mail_by) == (MONDAY, dt.date(2026, 11, 25))
    assert (card.owner, card.sale, card.status) == (owner, sale, CardStatus.PLANNED)
    assert card.handwritten and not card.needs_address
    assert thanks.note_of(sale) == card


def test_a_friday_sale_is_due_on_tuesday(anna):
    friday = dt.date(2026, 11, 20)
    card = thanks.note_of(sell(anna, friday, now=noon(friday)))
    assert card is not None and card.mail_by == dt.date(2026, 11, 24)


def test_the_two_working_days_skip_a_public_holiday(anna):
    wednesday = dt.date(2026, 11, 25)  # Thanksgiving is Thursday 26th
    card = thanks.note_of(sell(anna, wednesday, now=noon(wednesday)))
    assert card is not None and card.mail_by == dt.date(2026, 11, 30)


def test_a_sale_recorded_late_is_due_on_the_next_working_day_not_in_the_past(anna):
    card = thanks.note_of(sell(anna, dt.date(2026, 11, 12)))  # ten days before NOW
    assert card is not None and card.mail_by == MONDAY


def test_two_sales_the_same_day_share_one_note_that_thanks_for_both(anna):
    first = sell(anna, MONDAY, "a sofa")
    sell(anna, MONDAY, "two armchairs")
    [card] = Card.objects.filter(customer=anna)
    assert card.sale == first
    assert "a sofa and two armchairs" in services.messages.draft(card)
    [action] = Action.objects.filter(kind="thank_you")
    assert action.title == "Write a thank-you note to Anna Smith for a sofa and two armchairs"


def test_a_sale_the_next_day_gets_its_own_note(anna):
    sell(anna, dt.date(2026, 11, 20), now=noon(dt.date(2026, 11, 20)))
    sell(anna, MONDAY)
    assert Card.objects.filter(customer=anna).count() == 2


def test_do_not_mail_gets_a_skipped_note_with_the_reason_and_nothing_on_today(owner):
    bob = make_customer(owner, "Bob", "Quiet", do_not_mail=True, **ADDRESS)
    sale = sell(bob, MONDAY)
    card = thanks.note_of(sale)
    assert card is not None
    assert (card.status, card.skip_reason) == (
        CardStatus.SKIPPED,
        "The customer asked for no post.",
    )
    assert not Action.objects.filter(kind="thank_you", status="open").exists()
    assert "asked for no post" in thanks.explain(sale, card, NOW)


def test_a_customer_who_opted_out_of_thank_you_notes_gets_a_skipped_one(anna):
    occasion = Occasion.objects.get(code="thank_you")
    OccasionPreference.objects.create(customer=anna, occasion=occasion, wants_card=False)
    card = thanks.note_of(sell(anna, MONDAY))
    assert card is not None and card.status == CardStatus.SKIPPED
    assert card.skip_reason == "The customer opted out of this occasion."


def test_an_old_sale_gets_no_note(anna):
    sale = sell(anna, MONDAY - dt.timedelta(days=15))
    assert thanks.note_of(sale) is None and not Card.objects.exists()
    assert "more than 14 days old" in thanks.explain(sale, None, NOW)
    assert thanks.note_of(sell(anna, MONDAY - dt.timedelta(days=14))) is not None


def test_the_calendar_planner_never_plans_thank_you_notes(anna):
    Sale.objects.create(customer=anna, date=dt.date(2025, 12, 3), description="a lamp")
    plan_cards(MONDAY, MONDAY + dt.timedelta(days=14), NOW)
    assert not Card.objects.filter(occasion__code="thank_you").exists()


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2027, 12, 31)))
def test_the_due_date_is_always_two_working_days_after_the_sale(day):
    hours = business_hours.BusinessHours(
        opens=dt.time(9),
        closes=dt.time(18),
        weekdays=frozenset(range(5)),
        zone=business_hours.UTC,
        holiday_country="US",
    )
    due = thanks.due_date(day, day, hours)
    between = [day + dt.timedelta(days=n) for n in range(1, (due - day).days + 1)]
    assert hours.is_working_day(due)
    assert sum(hours.is_working_day(d) for d in between) == 2


# --- Today --------------------------------------------------------------------------------------


def test_the_note_is_on_today_at_once_with_what_was_bought(anna, owner):
    sell(anna, MONDAY, "a sofa")
    [action] = agenda.today(owner, MONDAY)
    assert (action.kind, action.priority) == ("thank_you", Priority.THANK_YOU)
    assert action.title == "Write a thank-you note to Anna Smith for a sofa"
    assert (action.due_on, action.due_at, action.expires_on) == (MONDAY, None, None)
    assert action.customer == anna
    assert "mail the note by Wed 25 Nov" in action.detail
    assert "No postal address" not in action.detail


def test_a_note_without_an_address_says_so(owner):
    nomad = make_customer(owner, "Nico", "Nomad")
    sale = sell(nomad, MONDAY)
    [action] = agenda.today(owner, MONDAY)
    assert "No postal address yet: add one." in action.detail
    assert "No postal address yet" in thanks.explain(sale, thanks.note_of(sale), NOW)


def test_done_on_today_marks_the_note_written_and_mailed(anna, owner):
    card = thanks.note_of(sell(anna, MONDAY))
    assert card is not None
    agenda.complete(note_action(card), NOW)
    card.refresh_from_db()
    assert (card.status, card.handwritten, card.mailed_at) == (CardStatus.MAILED, True, NOW)


def test_mailing_from_the_cards_page_closes_the_item(anna):
    card = thanks.note_of(sell(anna, MONDAY))
    assert card is not None
    services.mark_handwritten(card, NOW)
    assert note_action(card).status == ActionStatus.OPEN  # written, still to post
    services.mark_mailed(Card.objects.all(), NOW)
    assert note_action(card).status == ActionStatus.DONE


def test_skipping_the_note_closes_the_item_and_reopening_brings_it_back(anna):
    card = thanks.note_of(sell(anna, MONDAY))
    assert card is not None
    services.skip(card, "Delivered in person with flowers", NOW)
    assert note_action(card).status == ActionStatus.SKIPPED
    card = services.reopen(card, NOW)
    assert card.handwritten and note_action(card).status == ActionStatus.OPEN


def test_the_nightly_plan_keeps_the_item_and_refreshes_the_address_warning(owner):
    nomad = make_customer(owner, "Nico", "Nomad")
    card = thanks.note_of(sell(nomad, MONDAY))
    assert card is not None
    Customer.objects.filter(pk=nomad.pk).update(**ADDRESS)
    plan(MONDAY + dt.timedelta(days=1), NOW + dt.timedelta(days=1))
    action = note_action(card)
    assert action.status == ActionStatus.OPEN and "No postal address" not in action.detail
    assert Action.objects.filter(kind="thank_you").count() == 1


def test_the_card_batch_item_does_not_count_thank_you_notes(owner, anna):
    ben = make_customer(owner, "Ben", "Birthday", birth_month=12, birth_day=2, **ADDRESS)
    plan_cards(MONDAY, MONDAY + dt.timedelta(days=14), NOW)
    sell(anna, MONDAY)
    assert Card.objects.filter(customer=ben).exists()
    [batch] = list(card_batches(MONDAY, NOW, User.objects.filter(pk=owner.pk)))
    assert batch.title.startswith("Mail 1 card by") and "Thank-you" not in batch.title


def test_mailing_the_last_card_closes_the_batch_although_a_note_is_open(owner, anna):
    ben = make_customer(owner, "Ben", "Birthday", birth_month=12, birth_day=2, **ADDRESS)
    plan_cards(MONDAY, MONDAY + dt.timedelta(days=14), NOW)
    [birthday] = Card.objects.filter(customer=ben)
    note = thanks.note_of(sell(anna, MONDAY))
    assert note is not None
    # A note due the same day as the batch does not keep the batch open.
    Card.objects.filter(pk=note.pk).update(mail_by=birthday.mail_by)
    plan(MONDAY, NOW)
    services.skip(birthday, "Moved away", NOW)
    batch = Action.objects.get(kind="cards")
    assert batch.status == ActionStatus.DONE
    assert note_action(note).status == ActionStatus.OPEN


# --- The nightly catch-up -------------------------------------------------------------------------


def test_the_catch_up_creates_notes_for_recent_sales_without_one_and_is_idempotent(owner, anna):
    quiet = make_customer(owner, "Bob", "Quiet", do_not_mail=True, **ADDRESS)
    Sale.objects.create(customer=anna, date=MONDAY, description="a sofa")
    Sale.objects.create(customer=anna, date=MONDAY, description="a rug")
    Sale.objects.create(customer=anna, date=MONDAY - dt.timedelta(days=3), description="a lamp")
    Sale.objects.create(customer=anna, date=MONDAY - dt.timedelta(days=30), description="old")
    Sale.objects.create(customer=quiet, date=MONDAY, description="a chair")
    first = plan(MONDAY, NOW)
    again = plan(MONDAY, NOW)
    assert (first.prepared["thanks"], again.prepared["thanks"]) == (3, 0)
    notes = {c.occasion_on: c for c in Card.objects.filter(customer=anna)}
    assert set(notes) == {MONDAY, MONDAY - dt.timedelta(days=3)}
    assert notes[MONDAY].mail_by == dt.date(2026, 11, 25) and notes[MONDAY].handwritten
    assert Card.objects.get(customer=quiet).status == CardStatus.SKIPPED
    titles = set(
        Action.objects.filter(kind="thank_you", status="open").values_list("title", flat=True)
    )
    assert titles == {
        "Write a thank-you note to Anna Smith for a sofa and a rug",
        "Write a thank-you note to Anna Smith for a lamp",
    }
    assert Action.objects.filter(kind="thank_you").count() == 2


def test_the_catch_up_closes_items_of_notes_mailed_elsewhere(anna, owner):
    card = thanks.note_of(sell(anna, MONDAY))
    assert card is not None
    Card.objects.filter(pk=card.pk).update(status=CardStatus.MAILED)  # e.g. an admin fix
    plan(MONDAY, NOW)
    assert note_action(card).status == ActionStatus.DONE


# --- Print output ----------------------------------------------------------------------------------


def test_the_note_is_in_the_envelopes_and_labels_before_it_is_written(anna, company):
    sell(anna, MONDAY)
    batch = output.build(Card.objects.all(), company)
    envelopes = pdf_text(output.render("envelopes", batch, company, output.Options()))
    labels = pdf_text(output.render("labels", batch, company, output.Options()))
    assert "Anna Smith" in envelopes and "12 Elm Street" in envelopes
    assert "Anna Smith" in labels


def test_the_note_prints_in_the_cards_pdf_only_with_the_option(anna, company):
    sell(anna, MONDAY, "a green sofa")
    plain = output.build(Card.objects.all(), company)
    with pytest.raises(PrintError, match="handwritten"):
        output.render("cards", plain, company, output.Options())
    with_notes = output.build(Card.objects.all(), company, include_notes=True)
    text = pdf_text(output.render("cards", with_notes, company, output.Options()))
    assert "Thank you" in text and "a green sofa" in text
