"""Tap-to-act: phone numbers call (tel:) or text (sms:), addresses open the phone's maps app,
e-mail addresses write (mailto:), on Today, the customer list and the customer page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from extramile.agenda.models import Action, Priority
from extramile.book.services import add_email, add_phone
from extramile.web.templatetags.tap import map_url, sms_url
from tests.conftest import NOW, PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def reachable(customer):
    add_phone(customer, "(415) 555-2671", "US", "mobile")
    add_email(customer, "anna@example.com")
    customer.street, customer.city, customer.region = "1 Main St & Co", "Springfield", "IL"
    customer.postal_code, customer.country = "62701", "US"
    customer.save()
    return customer


def test_links(client, owner, reachable):
    assert client.login(username="olivia", password=PASSWORD)
    page = client.get(reverse("customer", args=[reachable.pk])).content.decode()
    assert 'href="tel:+14155552671"' in page and 'href="sms:+14155552671"' in page
    assert 'href="mailto:anna@example.com"' in page
    assert (
        'href="https://www.google.com/maps/search/?api=1&amp;query=1%20Main%20St%20%26%20Co' in page
    )
    rows = client.get(reverse("customers")).content.decode()
    assert 'href="tel:+14155552671"' in rows and 'href="mailto:anna@example.com"' in rows


def test_a_call_row_offers_call_and_text(client, owner, reachable):
    day = owner.local_date(NOW)
    Action.objects.create(
        key="call:x", kind="call", owner=owner, customer=reachable, title="Call Anna",
        due_on=day, priority=Priority.CALL, created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    assert client.login(username="olivia", password=PASSWORD)
    page = client.get(reverse("today")).content.decode()
    assert 'class="button call-tel" href="tel:+14155552671"' in page
    assert 'href="sms:+14155552671"' in page


def test_filters():
    assert map_url(["", "1 Main St", "Springfield  IL"]) == (
        "https://www.google.com/maps/search/?api=1&query=1%20Main%20St%2C%20Springfield%20IL"
    )
    assert map_url([]) == "" and sms_url("") == ""
    assert sms_url("+1 415-555") == "sms:+1415555"
