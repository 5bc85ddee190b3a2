"""The daily check-in in Chromium: Enter in the note never picks a score; the note can be changed."""

from __future__ import annotations

import pytest

from extramile.culture.models import CheckIn
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_enter_in_the_note_saves_nothing_and_the_note_can_be_changed(
    live_server, browser, transactional_db, owner
):
    page = browser.new_page(viewport={"width": 390, "height": 860})
    sent: list[str] = []
    page.on(
        "request",
        lambda r: sent.append(r.url) if r.method == "POST" and "check-ins" in r.url else None,
    )
    log_in(page, live_server.url)
    block = page.locator("#check-in")
    note = block.get_by_label("Note")
    note.fill("Good day, closed two deals")
    note.press("Enter")
    # Enter moved the focus to the scores, and sent nothing.
    assert page.evaluate("document.activeElement.textContent") == "1"
    assert page.evaluate("document.activeElement.closest('.scores') !== null")

    with page.expect_response("**/check-ins/today/"):
        block.get_by_role("button", name="4", exact=True).click()
    block.locator(".check-in-done").wait_for()
    assert sent == [f"{live_server.url}/check-ins/today/"]  # one request: the tap on 4
    row = CheckIn.objects.get(user=owner)
    assert (row.score, row.note) == (4, "Good day, closed two deals")
    assert "4/5" in block.locator(".check-in-done").inner_text()

    # Changed after: the note is there to edit, Enter goes to the chosen score (4), and Enter on
    # it saves the new note with the same score.
    block.get_by_text("Change the score or the note").click()
    note = block.get_by_label("Note")
    assert note.input_value() == "Good day, closed two deals"
    note.fill("Good day, closed three deals")
    note.press("Enter")
    assert page.evaluate("document.activeElement.textContent") == "4"
    with page.expect_response("**/check-ins/today/"):
        page.keyboard.press("Enter")
    block.locator("text=closed three deals").wait_for()
    row.refresh_from_db()
    assert (row.score, row.note) == (4, "Good day, closed three deals")
    assert len(sent) == 2
    page.close()
