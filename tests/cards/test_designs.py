"""Designs and branding: Settings saves the branding (a logo must be an image), each design has a
preview (Typst PNG, cached), and the print files carry the branding: the couple on a wedding card,
the rep on the return address, the rep's printed name and title, the design per occasion."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image
from pypdf import PdfReader

from extramile.accounts.models import Company
from extramile.book.models import Household
from extramile.cards import output, previews
from extramile.cards.models import Card, CardBranding, CardSigner, CardStatus, Occasion
from extramile.cards.planning import plan_cards
from tests.conftest import NOW, make_customer

PNG = b"\x89PNG\r\n\x1a\n"


def png_logo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 40), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def text_of(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def wedding(owner) -> Card:
    home = Household.objects.create(name="The Bauer Family", street="1 Main St", city="Springfield",
                                    region="IL", postal_code="62704", country="US")  # fmt: skip
    make_customer(owner, "Ben", "Bauer", household=home, birth_year=1975)
    anna = make_customer(owner, "Anna", "Bauer", household=home, birth_year=1977)
    from extramile.book.models import KeyDate

    KeyDate.objects.create(
        customer=anna, kind="wedding", label="Wedding", month=12, day=12, year=2000
    )
    plan_cards(dt.date(2026, 11, 23), dt.date(2026, 12, 7), NOW,
               occasions=Occasion.objects.filter(code="wedding"))  # fmt: skip
    card = Card.objects.get(household=home)
    Card.objects.filter(pk=card.pk).update(
        status=CardStatus.WRITTEN, message="Dear Ben and Anna,\n\nHi."
    )
    return card


def test_a_wedding_card_goes_to_the_couple_and_the_return_address_names_the_rep(owner, wedding):
    CardSigner.objects.create(user=owner, printed_name="Olivia M. Park", title="Sales advisor")
    company = Company.get()
    batch = output.build(Card.objects.filter(pk=wedding.pk), company)
    (item,) = batch.items
    assert item.recipient == "Ben and Anna Bauer"
    assert item.design == "rings" and item.signature == "Olivia M. Park"
    assert item.title == "Sales advisor" and item.sender[0] == "Olivia M. Park"
    envelopes = text_of(output.render("envelopes", batch, company, output.Options()))
    assert "Olivia M. Park" in envelopes and "Ben and Anna Bauer" in envelopes
    cards = text_of(output.render("cards", batch, company, output.Options()))
    assert "Sales advisor" in cards and f"C-{wedding.pk}" not in cards
    csv = output.render("csv", batch, company, output.Options()).decode("utf-8-sig")
    assert f"C-{wedding.pk}" in csv


def test_the_company_chooses_a_design_per_occasion(owner, wedding):
    branding = CardBranding.get()
    branding.designs = {"wedding": "botanical"}
    branding.save()
    (item,) = output.build(Card.objects.filter(pk=wedding.pk), Company.get()).items
    assert item.design == "botanical"


def test_settings_saves_the_branding_and_refuses_a_logo_that_is_not_an_image(
    client, admin_user, settings, tmp_path
):
    from tests.conftest import PASSWORD

    client.login(username=admin_user.username, password=PASSWORD)
    admin_client = client
    settings.DATA_DIR = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"branding-language": "de", "branding-primary_colour": "#225522",
            "branding-accent_colour": "#aa8800", "branding-sign_off": "Herzlich",
            "branding-design_birthday": "classic"}  # fmt: skip
    bad = SimpleUploadedFile("logo.png", b"not an image at all", content_type="image/png")
    response = admin_client.post("/cards/design/", {**data, "branding-logo_file": bad})
    assert response.status_code == 422
    assert "not an image" in response.content.decode()
    assert CardBranding.get().language == "en"
    good = SimpleUploadedFile("logo.png", png_logo(), content_type="image/png")
    response = admin_client.post("/cards/design/", {**data, "branding-logo_file": good})
    assert response.status_code == 302
    branding = CardBranding.get()
    assert branding.language == "de" and branding.designs == {"birthday": "classic"}
    assert bytes(branding.logo).startswith(PNG) and branding.logo_width == 120
    page = admin_client.get("/settings/").content.decode()
    assert "/cards/design/confetti.png" in page
    preview = admin_client.get("/cards/design/confetti.png")
    assert preview.status_code == 200 and preview.content.startswith(PNG)
    assert len(list(previews.folder().glob("*.png"))) == 1  # cached
    assert admin_client.get("/cards/design/nothing.png").status_code == 404


def test_a_rep_saves_a_signature_but_not_the_branding(client, owner):
    from tests.conftest import PASSWORD

    client.login(username=owner.username, password=PASSWORD)
    response = client.post(
        "/cards/design/", {"signer-printed_name": "Liv Park", "signer-title": "Advisor"}
    )
    assert response.status_code == 302
    assert CardSigner.objects.get(user=owner).title == "Advisor"
    assert client.post("/cards/design/", {"branding-language": "fr"}).status_code == 403


@pytest.mark.parametrize(
    ("anna_last", "language", "expected"),
    [
        ("Bauer", "", "Ben and Anna Bauer"),
        ("Klein", "", "Ben Bauer and Anna Klein"),
        ("Bauer", "de", "Ben und Anna Bauer"),
    ],
)
def test_the_couple_is_named_in_the_cards_language(owner, anna_last, language, expected):
    from extramile.book.models import KeyDate

    home = Household.objects.create(name="The Bauer Family", street="1 Main St", city="Springfield",
                                    region="IL", postal_code="62704", country="US")  # fmt: skip
    make_customer(owner, "Ben", "Bauer", household=home, birth_year=1975, language=language)
    anna = make_customer(owner, "Anna", anna_last, household=home, birth_year=1977,
                         language=language)  # fmt: skip
    KeyDate.objects.create(customer=anna, kind="wedding", label="Wedding", month=12, day=12)
    plan_cards(dt.date(2026, 11, 23), dt.date(2026, 12, 31), NOW,
               occasions=Occasion.objects.filter(code__in=["wedding", "christmas"]))  # fmt: skip
    Card.objects.update(status=CardStatus.WRITTEN, message="Dear you,\n\nHi.")
    items = {
        item.design: item.recipient
        for item in output.build(Card.objects.all(), Company.get()).items
    }
    assert items == {"rings": expected, "evergreen": "The Bauer Family"}
