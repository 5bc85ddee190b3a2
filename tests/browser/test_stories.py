"""In real Chromium: a rep answers the week's story prompt from Today and writes a story about her
customer; a colleague reads it in the feed and gives kudos in place."""

from __future__ import annotations

import pytest
from django.utils import timezone

from extramile.accounts.models import User
from extramile.agenda.actions import put_many
from extramile.agenda.models import Action, ActionStatus
from extramile.culture.models import Kudos, Story
from extramile.culture.planners import stories
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_a_rep_writes_a_story_and_a_colleague_gives_kudos(
    live_server, browser, transactional_db, owner, colleague, customer
):
    now = timezone.now()
    specs = list(stories(owner.local_date(now), now, User.objects.filter(pk=owner.pk)))
    if specs:  # a working day: Today asks for the week's story
        put_many(specs, now)

    page = browser.new_page(viewport={"width": 390, "height": 900})
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    page.get_by_text("Write a story about Anna Smith").click()
    page.fill(
        "textarea[name=situation]", "Her car would not start on the morning of her interview."
    )
    page.fill("textarea[name=what_done]", "Drove out with a booster pack and followed her to town.")
    page.fill("textarea[name=reaction]", "She got the job and called us first.")
    page.get_by_role("button", name="Save the story").click()
    page.wait_for_url(f"{live_server.url}/stories/*/")
    written = Story.objects.get()
    assert written.customer == customer and written.author == owner
    prompt = Action.objects.filter(owner=owner, kind="story").first()
    assert prompt is None or prompt.status == ActionStatus.DONE

    other = browser.new_page(viewport={"width": 1200, "height": 900})
    log_in(other, live_server.url, "colin")
    other.goto(f"{live_server.url}/stories/")
    card = other.locator(f"#story-{written.pk}")
    assert "Drove out with a booster pack" in card.inner_text()
    other.evaluate("window.__marker = 'still here'")
    card.locator("input[name=message]").fill("What a save!")
    card.get_by_role("button", name="Give kudos").click()
    card.get_by_text("You gave kudos for this story.").wait_for()
    assert "What a save!" in card.inner_text() and "Colin" in card.inner_text()
    assert other.evaluate("window.__marker") == "still here"  # in place, no reload
    assert Kudos.objects.get().giver == colleague
