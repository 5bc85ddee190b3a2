"""The Cards page and the card editor: the batch by mail-by date, the guard's verdict, written and
mailed, the print downloads, and nobody sees another team's cards."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from extramile.book.models import Fact, Household
from extramile.cards import messages
from extramile.cards.models import Card, CardStatus, Occasion
from extramile.cards.planning import plan_cards
from tests.conftest import NOW, login, make_customer

pytestmark = pytest.mark.django_db

WINDOW = {"from": "2026-11-30", "to": "2026-12-06"}
ADDRESS = {"street": "12 Elm Street", "city": "Springfield", "region": "IL", "postal_code": "62704"}
HTMX = {"HTTP_HX_REQUEST": "true"}


def plan_birthdays():
    plan_cards(
        dt.date(2026, 11, 30),
        dt.date(2026, 12, 6),
        NOW,
        occasions=Occasion.objects.filter(code="birthday"),
    )


@pytest.fixture
def cards(owner, outsider):
    anna = make_customer(owner, "Anna", "Smith", birth_month=12, birth_day=10, **ADDRESS)
    Fact.objects.create(customer=anna, text="Sails on weekends", tags="sailing", pinned=True)
    make_customer(owner, "Ben", "<b>Bold</b>", birth_month=12, birth_day=11)
    make_customer(outsider, "Xena", "Outis", birth_month=12, birth_day=10, **ADDRESS)
    plan_birthdays()
    return {c.customer.first_name: c for c in Card.objects.select_related("customer")}


def test_the_batch_is_grouped_by_mail_by_date_and_scoped(client, owner, cards):
    page = login(client, owner).get(reverse("cards"), WINDOW).content.decode()
    assert "Mail by Thursday 3 December" in page and "Mail by Friday 4 December" in page
    assert "Anna Smith" in page
    assert "&lt;b&gt;Bold&lt;/b&gt;" in page and "<b>Bold</b>" not in page
    assert "needs an address" in page  # Ben has none
    assert "Xena" not in page


def test_an_outsider_gets_404_for_anothers_card(client, outsider, cards):
    login(client, outsider)
    assert client.get(reverse("card", args=[cards["Anna"].pk])).status_code == 404
    response = client.post(reverse("card", args=[cards["Anna"].pk]), {"action": "handwritten"})
    assert response.status_code == 404
    cards["Anna"].refresh_from_db()
    assert cards["Anna"].status == CardStatus.PLANNED


def test_the_editor_shows_the_draft_suggestions_and_the_verdict(client, owner, cards):
    page = login(client, owner).get(reverse("card", args=[cards["Anna"].pk])).content.decode()
    assert "Dear Anna," in page
    assert "Sails on weekends" in page and "Use this line" in page
    assert "Not yet:" in page and "nothing added" in page


def test_the_verdict_is_live(client, owner, cards):
    card = cards["Anna"]
    login(client, owner)
    generic = client.post(
        reverse("card-check", args=[card.pk]), {"message": messages.draft(card)}, **HTMX
    ).content.decode()
    assert generic.startswith('<div id="verdict" class="verdict bad"')
    personal = client.post(
        reverse("card-check", args=[card.pk]),
        {"message": "Dear Anna,\n\nI hope the sailing has been good this autumn."},
        **HTMX,
    ).content.decode()
    assert 'class="verdict ok"' in personal and "sailing" in personal


def test_writing_a_card_through_the_guard_and_mailing_it(client, owner, cards):
    card = cards["Anna"]
    url = reverse("card", args=[card.pk])
    login(client, owner)
    refused = client.post(url, {"action": "written", "message": messages.draft(card)})
    assert refused.status_code == 422
    assert "Not marked written" in refused.content.decode()
    message = "Dear Anna,\n\nI hope the sailing has been good this autumn."
    done = client.post(url, {"action": "written", "message": message})
    assert done.status_code == 302
    card.refresh_from_db()
    assert card.status == CardStatus.WRITTEN and card.message == message
    client.post(reverse("cards-mailed"), WINDOW)
    card.refresh_from_db()
    assert card.status == CardStatus.MAILED
    assert cards["Ben"].status == CardStatus.PLANNED  # not written: not mailed


def test_an_override_needs_a_reason_and_is_counted(client, owner, cards):
    card = cards["Anna"]
    url = reverse("card", args=[card.pk])
    login(client, owner)
    client.post(
        url, {"action": "written", "message": messages.draft(card), "override": "Asked for plain"}
    )
    card.refresh_from_db()
    assert card.status == CardStatus.WRITTEN and card.override_reason == "Asked for plain"
    client.post(reverse("card", args=[card.pk]), {"action": "mailed"})
    page = client.get(reverse("cards"), WINDOW).content.decode()
    assert "guard overridden" in page
    assert "Cards mailed per rep per month" in page


def test_skip_asks_for_a_reason(client, owner, cards):
    card = cards["Ben"]
    url = reverse("card", args=[card.pk])
    login(client, owner)
    response = client.post(url, {"action": "skip", "reason": ""})
    assert response.status_code == 422 and "Say why" in response.content.decode()
    client.post(url, {"action": "skip", "reason": "Moved abroad"})
    card.refresh_from_db()
    assert card.status == CardStatus.SKIPPED and card.skip_reason == "Moved abroad"


def test_a_bad_range_is_explained(client, owner, cards):
    page = login(client, owner).get(reverse("cards"), {"from": "2026-02-30"}, follow=True)
    assert "Dates are written YYYY-MM-DD" in page.content.decode()


def test_the_customer_page_shows_the_card_history(client, owner, cards):
    home = Household.objects.create(name="The Smith Family", **ADDRESS)
    anna = cards["Anna"].customer
    anna.household = home
    anna.save()
    page = login(client, owner).get(reverse("customer", args=[anna.pk])).content.decode()
    assert "Birthday 2026" in page


def test_downloads_are_pdfs_of_the_written_cards(client, owner, cards):
    login(client, owner)
    card = cards["Anna"]
    message = "Dear Anna,\n\nI hope the sailing has been good this autumn."
    client.post(reverse("card", args=[card.pk]), {"action": "written", "message": message})
    response = client.get(reverse("cards-download", args=["cards"]), WINDOW)
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "sailing" in text
    labels = client.get(reverse("cards-download", args=["labels"]), WINDOW)
    assert "Springfield" in PdfReader(io.BytesIO(labels.content)).pages[0].extract_text()
    csv = client.get(reverse("cards-download", args=["csv"]), WINDOW).content.decode("utf-8-sig")
    assert "Anna Smith" in csv and "Ben" not in csv


def test_a_download_with_nothing_written_says_so(client, owner, cards):
    login(client, owner)
    response = client.get(reverse("cards-download", args=["cards"]), WINDOW, follow=True)
    assert "No written cards to print" in response.content.decode()
    response = client.get(reverse("cards-download", args=["nonsense"]), WINDOW, follow=True)
    assert "Unknown print file" in response.content.decode()


def test_a_customer_opts_out_of_christmas_and_in_to_diwali(client, owner, customer):
    christmas = Occasion.objects.get(code="christmas")
    diwali = Occasion.objects.get(code="diwali")
    login(client, owner)
    page = client.get(reverse("customer", args=[customer.pk])).content.decode()
    assert "Company default (send)" in page and "Company default (don't send)" in page
    client.post(
        reverse("customer-occasions", args=[customer.pk]),
        {f"occasion-{christmas.pk}": "no", f"occasion-{diwali.pk}": "yes"},
    )
    choices = dict(customer.occasion_preferences.values_list("occasion__code", "wants_card"))
    assert choices == {"christmas": False, "diwali": True}
    client.post(reverse("customer-occasions", args=[customer.pk]), {f"occasion-{christmas.pk}": ""})
    assert not customer.occasion_preferences.filter(occasion=christmas).exists()


def test_an_outsider_cannot_change_anothers_card_choices(client, outsider, customer):
    christmas = Occasion.objects.get(code="christmas")
    login(client, outsider)
    response = client.post(
        reverse("customer-occasions", args=[customer.pk]), {f"occasion-{christmas.pk}": "no"}
    )
    assert response.status_code == 404
    assert not customer.occasion_preferences.exists()


def test_a_rep_writes_their_own_wording_and_a_bad_field_is_explained(client, owner, cards):
    birthday = Occasion.objects.get(code="birthday")
    login(client, owner)
    bad = client.post(reverse("card-templates"), {f"template-{birthday.pk}": "Hi {password}"})
    assert bad.status_code == 422 and "Unknown field {password}" in bad.content.decode()
    client.post(reverse("card-templates"), {f"template-{birthday.pk}": "Happy day, {first_name}!"})
    assert messages.draft(cards["Anna"]) == "Happy day, Anna!"
    client.post(reverse("card-templates"), {f"template-{birthday.pk}": ""})
    assert messages.draft(cards["Anna"]).startswith("Dear Anna,")
