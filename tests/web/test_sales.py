"""Recording a sale on the customer page, and the thank-you note's row on Today and the Cards page.

Pages run on the real clock, so the sale's day is the user's real local today."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from extramile.agenda.models import Action, ActionStatus
from extramile.book.models import Customer, Sale
from extramile.book.services import record_sale
from extramile.cards import thanks
from extramile.cards.models import Card, CardStatus
from tests.conftest import login, make_customer

pytestmark = pytest.mark.django_db

ADDRESS = {"street": "12 Elm Street", "city": "Springfield", "region": "IL", "postal_code": "62704"}
HTMX = {"HTTP_HX_REQUEST": "true"}


def today_of(user) -> dt.date:
    return user.local_date(timezone.now())


def post_sale(client, customer: Customer, **data):
    form = {
        "date": today_of(customer.owner).isoformat(),
        "description": "A green sofa",
        "amount": "1249.00",
        **data,
    }
    return client.post(reverse("customer-add-sale", args=[customer.pk]), form, follow=True)


@pytest.fixture
def anna(owner) -> Customer:
    return make_customer(owner, "Anna", "Smith", **ADDRESS)


def test_the_customer_page_has_the_sale_form_with_today_as_the_date(client, owner, anna):
    page = login(client, owner).get(reverse("customer", args=[anna.pk])).content.decode()
    assert "Record a sale" in page
    assert f'value="{today_of(owner).isoformat()}"' in page


def test_recording_a_sale_creates_the_note_and_says_when_it_is_due(client, owner, anna):
    page = post_sale(login(client, owner), anna).content.decode()
    sale = Sale.objects.get(customer=anna)
    assert (sale.description, sale.amount, sale.sold_by) == (
        "A green sofa",
        Decimal("1249.00"),
        owner,
    )
    note = thanks.note_of(sale)
    assert note is not None and note.status == CardStatus.PLANNED
    assert f"A thank-you note to Anna Smith is due {note.mail_by:%a %d %b %Y}" in page
    assert "A green sofa" in page  # the Sales table


def test_a_double_submit_records_the_sale_once(client, owner, anna):
    login(client, owner)
    post_sale(client, anna)
    page = post_sale(client, anna).content.decode()
    assert Sale.objects.filter(customer=anna).count() == 1
    assert "recorded a moment ago" in page
    # A different sale the same day is a new sale, joining the same note.
    post_sale(client, anna, description="Two armchairs", amount="800")
    assert Sale.objects.filter(customer=anna).count() == 2
    assert Card.objects.filter(customer=anna).count() == 1


def test_a_sale_without_a_postal_address_asks_for_one(client, owner):
    nomad = make_customer(owner, "Nico", "Nomad")
    page = post_sale(login(client, owner), nomad).content.decode()
    assert "No postal address yet" in page
    assert reverse("customer-edit", args=[nomad.pk]) in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": "-5"}, "can&#x27;t be negative"),
        ({"amount": "12,50 EUR"}, "Write the amount as a number"),
        ({"amount": "1.005"}, "at most two decimals"),
        ({"amount": "99999999999"}, "too large"),
        ({"date": "23/11/2026"}, "YYYY-MM-DD"),
        ({"date": "2999-01-01"}, "can&#x27;t be dated in the future"),
        ({"description": "   "}, "Say what was bought"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(client, owner, anna, data, message):
    page = post_sale(login(client, owner), anna, **data).content.decode()
    assert "The sale was not recorded" in page and message in page
    assert not Sale.objects.exists() and not Card.objects.exists()


def test_another_teams_customer_is_a_404(client, outsider, anna):
    response = login(client, outsider).post(
        reverse("customer-add-sale", args=[anna.pk]),
        {"date": "2026-11-23", "description": "x", "amount": "1"},
    )
    assert response.status_code == 404 and not Sale.objects.exists()


# --- Today's row ----------------------------------------------------------------------------------


@pytest.fixture
def note(owner, anna) -> Card:
    now = timezone.now()
    sale = record_sale(anna, today_of(owner), "A green sofa", Decimal("1249"), owner, now=now)
    card = thanks.note_of(sale)
    assert card is not None
    return card


def row_action(note: Card) -> Action:
    return Action.objects.get(key=f"thanks:{note.pk}")


def test_today_shows_the_note_with_what_was_bought_and_its_buttons(client, owner, note):
    page = login(client, owner).get(reverse("today")).content.decode()
    action = row_action(note)
    assert "Write a thank-you note to Anna Smith for A green sofa" in page
    assert f"mail the note by <strong>{note.mail_by:%a} {note.mail_by.day}" in page
    assert reverse("thanks-written", args=[action.pk]) in page
    assert reverse("thanks-mailed", args=[action.pk]) in page
    assert reverse("thanks-skip", args=[action.pk]) in page


def test_the_row_asks_for_an_address_with_a_link(client, owner):
    nomad = make_customer(owner, "Nico", "Nomad")
    record_sale(nomad, today_of(owner), "A lamp", Decimal("80"), owner, now=timezone.now())
    page = login(client, owner).get(reverse("today")).content.decode()
    assert "No postal address yet" in page
    assert reverse("customer-edit", args=[nomad.pk]) in page


def test_written_by_hand_then_mailed_in_place(client, owner, note):
    login(client, owner)
    action = row_action(note)
    written = client.post(reverse("thanks-written", args=[action.pk]), **HTMX).content.decode()
    note.refresh_from_db()
    assert (note.status, note.handwritten) == (CardStatus.WRITTEN, True)
    assert '<span class="badge">written</span>' in written  # the row, still open
    assert reverse("thanks-written", args=[action.pk]) not in written
    assert row_action(note).status == ActionStatus.OPEN
    mailed = client.post(reverse("thanks-mailed", args=[action.pk]), **HTMX).content.decode()
    note.refresh_from_db()
    assert note.status == CardStatus.MAILED
    assert row_action(note).status == ActionStatus.DONE
    assert "<s>" in mailed and "done" in mailed
    again = client.post(reverse("thanks-mailed", args=[action.pk]), **HTMX)
    assert again.status_code == 200
    assert Card.objects.get(pk=note.pk).status == CardStatus.MAILED


def test_skip_on_today_skips_the_note_too(client, owner, note):
    action = row_action(note)
    login(client, owner).post(reverse("thanks-skip", args=[action.pk]), {"reason": ""})
    note.refresh_from_db()
    assert (note.status, note.skip_reason) == (CardStatus.SKIPPED, "Skipped from Today.")
    assert row_action(note).status == ActionStatus.SKIPPED


def test_nobody_else_can_mail_the_note(client, outsider, note):
    action = row_action(note)
    response = login(client, outsider).post(reverse("thanks-mailed", args=[action.pk]))
    assert response.status_code == 404
    assert Card.objects.get(pk=note.pk).status == CardStatus.PLANNED


def test_the_done_button_elsewhere_means_mailed(client, owner, note):
    action = row_action(note)
    login(client, owner).post(reverse("action-done", args=[action.pk]))
    assert Card.objects.get(pk=note.pk).status == CardStatus.MAILED


# --- The Cards page ---------------------------------------------------------------------------------


def test_the_cards_page_shows_the_note_with_what_was_bought(client, owner, note):
    window = {"from": note.mail_by.isoformat(), "to": note.mail_by.isoformat()}
    page = login(client, owner).get(reverse("cards"), window).content.decode()
    assert "Thank-you note" in page and "for A green sofa" in page
    assert "include handwritten thank-you notes in the cards PDF" in page


def test_the_cards_pdf_download_includes_notes_only_when_asked(client, owner, note):
    window = {"from": note.mail_by.isoformat(), "to": note.mail_by.isoformat()}
    login(client, owner)
    refused = client.get(reverse("cards-download", args=["cards"]), window, follow=True)
    assert "handwritten" in refused.content.decode()
    pdf = client.get(reverse("cards-download", args=["cards"]), {**window, "notes": "1"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    envelopes = client.get(reverse("cards-download", args=["envelopes"]), window)
    assert envelopes.status_code == 200 and envelopes["Content-Type"] == "application/pdf"
