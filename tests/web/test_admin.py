"""The admin has a page for every model of the book, the agenda and the company."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from extramile.book.models import Customer
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_every_model_has_an_admin_page_that_renders(client, admin_user, customer):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    assert client.login(username=admin_user.username, password=PASSWORD)
    labels = {model._meta.label for model in admin.site._registry}
    for expected in [
        "accounts.User",
        "accounts.Team",
        "accounts.Company",
        "book.Customer",
        "book.Household",
        "book.Relationship",
        "book.KeyDate",
        "book.Fact",
        "book.Sale",
        "book.Referral",
        "book.Promise",
        "agenda.Action",
    ]:
        assert expected in labels, expected
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
    change = reverse("admin:book_customer_change", args=[customer.pk])
    assert "Anna" in client.get(change).content.decode()


def test_admin_normalises_phones_from_the_inline(client, admin_user, customer, company):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.login(username=admin_user.username, password=PASSWORD)
    url = reverse("admin:book_customer_change", args=[customer.pk])
    data = {
        "first_name": "Anna",
        "last_name": "Smith",
        "owner": customer.owner_id,
        "status": "customer",
        "tier": "C",
        "birth_month": "11",
        "birth_day": "23",
        "birth_year": "1980",
        "emails-TOTAL_FORMS": "0",
        "emails-INITIAL_FORMS": "0",
        "phones-TOTAL_FORMS": "1",
        "phones-INITIAL_FORMS": "0",
        "phones-0-number": "(415) 555-2671",
        "phones-0-label": "mobile",
        "key_dates-TOTAL_FORMS": "0",
        "key_dates-INITIAL_FORMS": "0",
        "facts-TOTAL_FORMS": "0",
        "facts-INITIAL_FORMS": "0",
        "promises-TOTAL_FORMS": "0",
        "promises-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Customer.objects.get().phones.get().number == "+14155552671"
    data["phones-0-number"] = "12"
    data["birth_day"] = "31"
    data["birth_month"] = "2"
    response = client.post(url, data)
    page = response.content.decode()
    assert "February 1980 has no day 31." in page
    assert "is not a valid phone number" in page
