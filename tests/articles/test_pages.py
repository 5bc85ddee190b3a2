"""The review page: the week's mailings, swap (never a sent article), skip; scoping."""

import datetime as dt

import pytest
from django.utils import timezone

from extramile.articles.models import Article, ArticleMailing, MailingStatus
from extramile.articles.planning import plan_mailings, slot_day
from extramile.articles.review import alternatives
from tests.articles.helpers import article, interested, mailed
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def planned_this_week(customer) -> ArticleMailing:
    """Plan the customer's mailing as if their day were this week."""
    today = timezone.localdate()
    day = slot_day(customer, today)
    plan_mailings(day, day, timezone.now(), today=min(day, today))
    mailing = ArticleMailing.objects.get(customer=customer, planned_on=day)
    ArticleMailing.objects.filter(pk=mailing.pk).update(planned_on=today)
    mailing.refresh_from_db()
    return mailing


def test_the_week_shows_why_and_swap_never_offers_a_sent_article(client, owner, customer):
    sent = article("Sent before", "golf")
    best, other = article("Best", "golf, travel"), article("Other", "travel")
    interested(customer, "golf", "travel")
    mailed(customer, sent, dt.date(2026, 1, 5))
    mailing = planned_this_week(customer)
    assert mailing.article == best
    offered = [c.id for c, _ in alternatives(mailing)]
    assert sent.pk not in offered and best.pk not in offered and offered == [other.pk]
    client.force_login(owner)
    page = client.get("/articles/").content.decode()
    assert "Anna Smith" in page and "Best" in page and "Matches: golf, travel" in page
    refused = client.post(
        f"/articles/mailings/{mailing.pk}/swap/", {"article": sent.pk}, HTTP_HX_REQUEST="true"
    )
    assert "has had “Sent before” already" in refused.content.decode()
    swapped = client.post(
        f"/articles/mailings/{mailing.pk}/swap/", {"article": other.pk}, HTTP_HX_REQUEST="true"
    )
    assert swapped.status_code == 200 and "chosen by hand" in swapped.content.decode()
    mailing.refresh_from_db()
    assert (mailing.article, mailing.swapped) == (other, True)


def test_skip_needs_a_reason(client, owner, customer):
    article("A")
    mailing = planned_this_week(customer)
    client.force_login(owner)
    url = f"/articles/mailings/{mailing.pk}/skip/"
    assert "Say why" in client.post(url, {"reason": " "}, HTTP_HX_REQUEST="true").content.decode()
    client.post(url, {"reason": "Just met them"})
    mailing.refresh_from_db()
    assert (mailing.status, mailing.reason) == (MailingStatus.SKIPPED, "Just met them")


def test_another_teams_mailing_is_a_404(client, outsider, customer):
    article("A")
    mailing = planned_this_week(customer)
    client.force_login(outsider)
    assert client.post(f"/articles/mailings/{mailing.pk}/skip/", {"reason": "x"}).status_code == 404
    assert "Anna Smith" not in client.get("/articles/").content.decode()
    assert client.get(f"/articles/customers/{customer.pk}/topics/").status_code == 404


def test_reps_read_the_library_and_managers_edit_it(client, owner, manager):
    client.force_login(owner)
    assert client.get("/articles/library/").status_code == 200
    data = {"title": "New", "url": "https://example.com/new", "topics": "Golf; Travel"}
    assert client.post("/articles/library/", data).status_code == 403
    client.force_login(manager)
    client.post("/articles/library/", data)
    new = Article.objects.get()
    assert new.topics == "golf, travel"
    dup = client.post("/articles/library/", data)
    assert "already exists" in dup.content.decode()
    client.post(f"/articles/library/{new.pk}/", {**data, "title": "=cmd()", "active": ""})
    new.refresh_from_db()
    assert not new.active
    export = client.get("/articles/library/export.csv").content.decode()
    assert "=cmd" not in export  # inactive: not exported; and formulas are escaped
    Article.objects.filter(pk=new.pk).update(active=True)
    assert "'=cmd()" in client.get("/articles/library/export.csv").content.decode()
    assert make_user("zed").pk


def test_customer_topics_page(client, owner, customer):
    client.force_login(owner)
    client.post(f"/articles/customers/{customer.pk}/topics/", {"topics": "Golf, golf, Wine"})
    assert sorted(customer.article_topics.values_list("topic", flat=True)) == ["golf", "wine"]
