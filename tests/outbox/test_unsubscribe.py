"""The unsubscribe link: no login, no cookies, GET only asks, POST unsubscribes at once."""

from __future__ import annotations

import pytest
from django.test import Client

from extramile.outbox import services
from extramile.outbox.models import OutboxMessage, Status, Unsubscribe
from extramile.outbox.tokens import customer_id, make_token, unsubscribe_url
from tests.conftest import NOW


@pytest.fixture
def link(customer):
    return f"/u/{make_token(customer.pk)}/"


@pytest.fixture
def queued(customer):
    return services.enqueue(
        key="article:1",
        kind="article",
        to_address="anna@example.org",
        subject="Hi",
        text="Hello",
        now=NOW,
        customer=customer,
    )


def test_the_one_click_post_works_without_cookies_or_login(customer, link, queued):
    client = Client(enforce_csrf_checks=True)
    response = client.post(link, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert b"You are unsubscribed" in response.content
    customer.refresh_from_db()
    assert customer.do_not_email
    record = Unsubscribe.objects.get()
    assert record.how == "one_click" and record.cancelled == 1
    queued.refresh_from_db()
    assert queued.status == Status.CANCELLED and "unsubscribed" in queued.error


def test_get_only_asks(customer, link, queued):
    response = Client().get(link)
    assert response.status_code == 200
    assert b"No more e-mails?" in response.content and b'method="post"' in response.content
    assert b"Olivia" in response.content and b"Harbour Motors" in response.content
    customer.refresh_from_db()
    assert not customer.do_not_email
    assert OutboxMessage.objects.get().status == Status.QUEUED


def test_the_pages_button_unsubscribes_once(customer, link):
    client = Client(enforce_csrf_checks=True)
    assert client.post(link).status_code == 200
    assert client.post(link).status_code == 200  # a double click
    assert list(Unsubscribe.objects.values_list("how", flat=True)) == ["page"]
    assert b"You are unsubscribed" in client.get(link).content


@pytest.mark.parametrize("mangle", [lambda t: t[:-1], lambda t: "9" + t, lambda t: "nonsense"])
def test_a_forged_or_broken_token_is_a_404_with_a_clear_page(customer, link, mangle):
    token = link.split("/")[2]
    response = Client(enforce_csrf_checks=True).post(f"/u/{mangle(token)}/")
    assert response.status_code == 404
    assert b"This unsubscribe link is not valid" in response.content
    customer.refresh_from_db()
    assert not customer.do_not_email


def test_a_token_for_a_customer_who_is_gone_is_a_404(customer):
    assert Client().get(f"/u/{make_token(customer.pk + 1000)}/").status_code == 404


def test_tokens_round_trip_and_name_one_customer(customer, colleague_customer, settings):
    settings.SITE_URL = "https://crm.example"
    assert customer_id(make_token(customer.pk)) == customer.pk
    assert make_token(customer.pk) != make_token(colleague_customer.pk)
    assert unsubscribe_url(customer.pk) == f"https://crm.example/u/{make_token(customer.pk)}/"
