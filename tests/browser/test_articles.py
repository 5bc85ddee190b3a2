"""In real Chromium: a rep reviews the week's article mailings and swaps one in place."""

from __future__ import annotations

import pytest
from django.utils import timezone

from extramile.articles.models import Article, ArticleMailing, CustomerTopic
from tests.browser.conftest import log_in
from tests.conftest import make_customer

pytestmark = pytest.mark.browser


@pytest.fixture
def mailing(transactional_db, owner):
    now = timezone.now()
    anna = make_customer(owner, "Anna", "Smith")
    CustomerTopic.objects.create(customer=anna, topic="sailing")
    best = Article.objects.create(
        title="Planning a sailing weekend",
        url="https://example.com/sailing",
        topics="sailing, travel",
        created_at=now,
    )
    Article.objects.create(
        title="Packing light", url="https://example.com/packing", topics="travel", created_at=now
    )
    return ArticleMailing.objects.create(
        customer=anna,
        owner=owner,
        article=best,
        planned_on=owner.local_date(now),
        created_at=now,
        updated_at=now,
    )


def test_review_the_week_and_swap_an_article(live_server, browser, mailing):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/articles/")
    row = page.locator(f"#mailing-{mailing.pk}")
    assert "Planning a sailing weekend" in row.inner_text()
    assert "Matches: sailing" in row.inner_text()
    row.locator("select[name=article]").select_option(label="Packing light")
    row.get_by_role("button", name="Swap").click()
    page.locator(f"#mailing-{mailing.pk} >> text=chosen by hand").wait_for()
    assert page.url == f"{live_server.url}/articles/"  # swapped in place, no page load
    mailing.refresh_from_db()
    assert mailing.article.title == "Packing light" and mailing.swapped
