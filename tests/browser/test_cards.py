"""In real Chromium: write a card with a suggested personal line, see the guard agree, mark it
written, then mark the batch mailed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from extramile.book.models import Fact
from extramile.cards.models import Card, CardStatus, Occasion
from extramile.cards.planning import plan_cards
from tests.browser.conftest import log_in
from tests.conftest import make_customer

pytestmark = pytest.mark.browser


@pytest.fixture
def card(transactional_db, owner):
    today = owner.local_date(timezone.now())
    birthday = today + dt.timedelta(days=12)
    anna = make_customer(
        owner,
        "Anna",
        "Smith",
        birth_month=birthday.month,
        birth_day=min(birthday.day, 28),
        street="12 Elm Street",
        city="Springfield",
        region="IL",
        postal_code="62704",
    )
    Fact.objects.create(
        customer=anna,
        text="Sails a small boat on weekends",
        category="hobby",
        tags="sailing",
        pinned=True,
    )
    plan_cards(
        today - dt.timedelta(days=7),
        today + dt.timedelta(days=30),
        timezone.now(),
        occasions=Occasion.objects.filter(code="birthday"),
    )
    return Card.objects.get(customer=anna)


def test_write_a_card_and_mark_the_batch_mailed(live_server, browser, card, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    log_in(page, live_server.url)
    mail_by = card.mail_by.isoformat()
    page.goto(f"{live_server.url}/cards/?from={mail_by}&to={mail_by}")
    page.get_by_role("link", name="Anna Smith").click()
    page.wait_for_url(f"{live_server.url}/cards/{card.pk}/")

    verdict = page.locator("#verdict")
    assert "Not yet" in verdict.inner_text()
    page.get_by_role("button", name="Use this line").first.click()
    page.locator("#verdict.ok").wait_for()
    assert "sailing" in page.locator("#message").input_value()
    page.screenshot(path=str(tmp_path / "card-editor.png"))

    page.get_by_role("button", name="Mark written").first.click()
    page.locator("text=Marked written").wait_for()
    card.refresh_from_db()
    assert card.status == CardStatus.WRITTEN and "sailing" in card.message

    page.get_by_role("link", name="Back to the batch").click()
    page.get_by_text("Mark this batch mailed…").click()  # asks first
    page.get_by_role("button", name="Yes, mark 1 card mailed").click()
    page.locator("text=Marked 1 written card mailed").wait_for()
    card.refresh_from_db()
    assert card.status == CardStatus.MAILED
    page.close()
