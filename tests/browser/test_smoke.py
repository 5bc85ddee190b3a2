"""In real Chromium (Debian's): log in, see Today, complete an action in place, open a customer."""

from __future__ import annotations

import pytest
from django.utils import timezone

from extramile.agenda import engine
from extramile.agenda.models import Action, ActionStatus
from extramile.book.models import Promise
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def agenda(transactional_db, owner, customer):
    today = owner.local_date(timezone.now())
    Promise.objects.create(customer=customer, description="Call about the trade-in", due_on=today)
    engine.plan_local_today(timezone.now())
    return Action.objects.get(customer=customer)


@pytest.mark.parametrize("width", [390, 1280])
def test_log_in_complete_an_action_and_open_the_customer(
    live_server, browser, agenda, width, tmp_path
):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url
    page.fill("input[name=username]", "olivia")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    row = page.locator(f"#action-{agenda.pk}")
    assert "Keep the promise to Anna Smith: Call about the trade-in" in row.inner_text()

    # Done completes in place: the row changes, the page does not navigate.
    page.evaluate("window.__marker = 'still here'")
    row.get_by_role("button", name="Done").click()
    page.locator(f"#action-{agenda.pk} >> text=Undo").wait_for()
    assert page.evaluate("window.__marker") == "still here"
    agenda.refresh_from_db()
    assert agenda.status == ActionStatus.DONE
    page.screenshot(path=str(tmp_path / f"today-{width}.png"))

    page.get_by_role("link", name="Anna Smith").first.click()
    page.wait_for_url(f"{live_server.url}/customers/{agenda.customer_id}/")
    assert page.locator("h1").inner_text() == "Anna Smith"
    assert "History" in page.content()
    page.close()


def test_live_search(live_server, browser, agenda):
    page = browser.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "olivia")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/customers/")
    page.fill("input[name=q]", "zzz-nobody")
    page.locator("text=No customers found").wait_for()
    page.fill("input[name=q]", "Smi")
    page.locator("#results >> text=Anna Smith").wait_for()
    assert "q=Smi" in page.url  # the search is in the address bar, so it can be shared
    page.close()
