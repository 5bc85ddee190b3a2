"""In real Chromium: a rep uploads a spreadsheet whose columns we do not know, maps them, saves
the mapping, sees the preview (a merge and a problem) and imports."""

from __future__ import annotations

import pytest

from extramile.book.models import Customer, EmailAddress
from extramile.imports.models import ColumnMapping
from tests.browser.conftest import log_in
from tests.conftest import make_customer

pytestmark = pytest.mark.browser

SHEET = (
    "Rufname;Familie;Mail;Geburtstag\n"
    "Anna;Smith;anna@example.com;15.04.1980\n"
    "Bob;Jones;bob@example.com;30.02.1975\n"
    "Cara;Diaz;cara@example.com;\n"
)


def test_upload_map_preview_and_import(
    live_server, browser, transactional_db, owner, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    anna = make_customer(owner, "Anna", "Smith")
    EmailAddress.objects.create(customer=anna, address="anna@example.com")
    sheet = tmp_path / "messe.csv"
    sheet.write_text(SHEET, encoding="utf-8")

    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    log_in(page, live_server.url)
    page.get_by_role("link", name="Import", exact=True).click()
    page.set_input_files("input[name=file]", str(sheet))
    page.get_by_role("button", name="Upload and preview").click()

    page.get_by_text("Which column is what?").wait_for()
    page.select_option("select[name=column-0]", "first_name")
    page.select_option("select[name=column-1]", "last_name")
    page.select_option("select[name=column-2]", "email")
    page.select_option("select[name=column-3]", "birthday")
    page.fill("input[name=save_as]", "Trade fair list")
    page.get_by_role("button", name="Preview").click()

    page.get_by_text("Nothing has been saved yet").wait_for()
    assert page.inner_text("#count-new") == "1"
    assert page.inner_text("#count-merged") == "1"
    assert page.inner_text("#count-invalid") == "1"
    problems = page.inner_text("#problems")
    assert "Row 3" in problems and "February 1975 has no day 30." in problems
    assert "birthday filled in: 15 April 1980" in page.inner_text("#merges")
    assert Customer.objects.count() == 1

    page.check("#skip_invalid")
    page.locator("#confirm-form button[type=submit]").click()
    page.get_by_text("Imported: messe.csv").wait_for()
    assert page.get_by_role("link", name="Download the rejected records").is_visible()

    assert sorted(Customer.objects.values_list("first_name", flat=True)) == ["Anna", "Cara"]
    anna.refresh_from_db()
    assert (anna.birth_month, anna.birth_day, anna.birth_year) == (4, 15, 1980)
    assert ColumnMapping.objects.get().name == "Trade fair list"
