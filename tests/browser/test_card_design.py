"""In real Chromium: an admin changes a card design in Settings, sees its preview, and prints the
batch with it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from extramile.cards.models import Card, CardBranding, CardStatus, Occasion
from extramile.cards.planning import plan_cards
from tests.browser.conftest import log_in
from tests.conftest import make_customer

pytestmark = pytest.mark.browser


@pytest.fixture
def written(transactional_db, admin_user, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    today = admin_user.local_date(timezone.now())
    birthday = today + dt.timedelta(days=12)
    anna = make_customer(admin_user, "Anna", "Smith", birth_month=birthday.month,
                         birth_day=min(birthday.day, 28), street="12 Elm Street",
                         city="Springfield", region="IL", postal_code="62704")  # fmt: skip
    plan_cards(today - dt.timedelta(days=7), today + dt.timedelta(days=30), timezone.now(),
               occasions=Occasion.objects.filter(code="birthday"))  # fmt: skip
    card = Card.objects.get(customer=anna)
    Card.objects.filter(pk=card.pk).update(
        status=CardStatus.WRITTEN, message="Dear Anna,\n\nI hope the boat is sailing well."
    )
    return card


def test_change_the_design_preview_and_print(live_server, browser, written, tmp_path):
    page = browser.new_page(viewport={"width": 390, "height": 900})
    log_in(page, live_server.url, "ada")
    page.goto(f"{live_server.url}/settings/")
    page.select_option("select[name=branding-design_birthday]", "evergreen")
    page.fill("input[name=branding-sign_off]", "Cheers,")
    page.get_by_role("button", name="Save the card design").click()
    page.locator("text=The card design is saved").wait_for()
    assert CardBranding.get().designs == {"birthday": "evergreen"}

    preview = page.locator("img[alt^='The evergreen design']")
    preview.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=preview.element_handle()
    )
    page.screenshot(path=str(tmp_path / "settings-cards.png"), full_page=True)

    mail_by = written.mail_by.isoformat()
    page.goto(f"{live_server.url}/cards/?from={mail_by}&to={mail_by}")
    with page.expect_download() as download:
        page.locator("form[action$='/download/cards/'] button").click()
    pdf = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    text = pdf.pages[0].extract_text()
    assert "I hope the boat is sailing well." in text and "Happy birthday" in text
    page.close()
