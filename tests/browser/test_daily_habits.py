"""In real Chromium: a proactive call turns up a service need; the request it opens goes to the
top of Today, above the promise that was there first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from extramile.agenda import engine
from extramile.agenda.actions import put_many
from extramile.agenda.models import Action, ActionStatus, Priority
from extramile.agenda.registry import ActionSpec
from extramile.book.models import Contact, Promise
from extramile.book.services import add_phone
from extramile.service.models import ServiceRequest
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def call(transactional_db, owner, customer):
    now = timezone.now()
    today = owner.local_date(now)
    add_phone(customer, "(415) 555-2671", "US", "mobile")
    yesterday = today - dt.timedelta(days=1)
    Promise.objects.create(customer=customer, description="Send the brochure", due_on=yesterday)
    put_many(
        [
            ActionSpec(
                key=f"call:{customer.pk}:{today}",
                kind="call",
                owner_id=owner.pk,
                customer_id=customer.pk,
                title="Call Anna Smith",
                detail="Tier C, never contacted.",
                due_on=today,
                expires_on=today,
                priority=Priority.CALL,
            )
        ],
        now,
    )
    engine.plan(today, now)
    return Action.objects.get(kind="call")


def test_a_call_that_finds_a_service_need_puts_the_request_first_on_today(
    live_server, browser, call, customer
):
    page = browser.new_page(viewport={"width": 390, "height": 900})
    log_in(page, live_server.url)
    # An overdue promise leads Today before the call.
    assert "Keep the promise to Anna Smith" in page.locator("li.action").first.inner_text()

    row = page.locator(f"#action-{call.pk}")
    assert row.locator("a[href='tel:+14155552671']").count() == 1
    page.evaluate("window.__marker = 'still here'")
    row.get_by_text("Service need").click()
    row.get_by_label("What do they need").fill("Rattle in the back door")
    row.get_by_role("button", name="Open a service request").click()
    page.locator(f"#action-{call.pk}.status-done").wait_for()
    assert page.evaluate("window.__marker") == "still here"  # completed in place

    request = ServiceRequest.objects.get(customer=customer)
    assert request.subject == "Rattle in the back door"
    assert Action.objects.get(pk=call.pk).status == ActionStatus.DONE
    assert Contact.objects.filter(customer=customer, channel="call").count() == 1

    page.reload()
    first = page.locator("li.action").first
    assert "Rattle in the back door" in first.inner_text()
    first.get_by_role("link", name="Open").click()
    page.wait_for_url(f"{live_server.url}/service/{request.pk}/")
    assert "Rattle in the back door" in page.locator("h1").inner_text()
    page.close()
