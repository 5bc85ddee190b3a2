"""In real Chromium: download the book, erase a customer by typing the name, make a calendar link."""

from __future__ import annotations

import csv
import io

import pytest
from icalendar import Calendar

from extramile.book.models import Customer
from extramile.exports.models import AuditRecord
from tests.browser.conftest import log_in
from tests.conftest import make_customer

pytestmark = pytest.mark.browser


@pytest.fixture
def book(transactional_db, owner, manager, now):
    from tests.exports.helpers import fill

    anna = make_customer(owner, "Anna", "Smith", birth_month=4, birth_day=15)
    fill(anna, make_customer(owner, "Ben", "Smith"), now)
    return anna


@pytest.mark.parametrize("width", [390, 1280])
def test_download_the_book_as_csv(live_server, browser, book, tmp_path, width):
    page = browser.new_page(viewport={"width": width, "height": 800})
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/customers/")
    page.screenshot(path=str(tmp_path / f"customers-{width}.png"))
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    assert target.name.startswith("extramile-customers-") and target.suffix == ".csv"
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"), newline="")))
    assert sorted(r["First Name"] for r in rows) == ["Anna", "Ben"]
    page.close()


def test_manager_erases_a_customer_after_typing_the_name(live_server, browser, book, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    log_in(page, live_server.url, "maya")
    page.goto(f"{live_server.url}/customers/{book.pk}/")
    page.get_by_role("link", name="Erase…").click()
    page.wait_for_url(f"{live_server.url}/customers/{book.pk}/erase/")
    summary = page.locator(".erase-summary").inner_text()
    assert "e-mail addresses" in summary and "inbound messages" in summary
    assert "Fixed the brakes on a Sunday" in summary  # the story that names her, kept
    page.screenshot(path=str(tmp_path / "erase.png"), full_page=True)

    page.fill("#erase-name", "Anna Smyth")
    page.get_by_role("button", name="Erase Anna Smith for good").click()
    page.locator(".msg-error").wait_for()
    assert "does not match" in page.locator(".msg-error").inner_text()
    assert Customer.objects.filter(pk=book.pk).exists()

    page.fill("#erase-name", "anna smith")
    page.get_by_role("button", name="Erase Anna Smith for good").click()
    page.wait_for_url(f"{live_server.url}/customers/")
    assert f"Customer {book.pk} is erased" in page.locator(".msg-success").inner_text()
    assert not Customer.objects.filter(pk=book.pk).exists()
    assert AuditRecord.objects.get().customer_id == book.pk
    page.close()


def test_make_a_calendar_link_and_subscribe(live_server, browser, book, tmp_path):
    page = browser.new_page()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/settings/")
    page.get_by_role("link", name="Your calendar link").click()
    page.get_by_role("button", name="Make my calendar link").click()
    url = page.locator(".feed-url").inner_text()
    page.screenshot(path=str(tmp_path / "calendar.png"))
    assert url.startswith(f"{live_server.url}/calendar/") and url.endswith(".ics")
    # A calendar app has no session: a fresh context with no cookies reads it.
    context = browser.new_context()
    response = context.request.get(url)
    assert response.status == 200
    assert Calendar.from_ical(response.body())["X-WR-CALNAME"]
    page.get_by_role("button", name="Turn the link off").click()
    assert context.request.get(url).status == 404
    context.close()
    page.close()
