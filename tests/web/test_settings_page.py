"""Settings: a user sets their own time zone; only an admin changes the company."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from extramile.accounts.models import Company
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def company_data(**extra):
    data = {
        "company-name": "Harbour Motors",
        "company-country": "gb",
        "company-time_zone": "Europe/London",
        "company-business_day_starts": "08:30",
        "company-business_day_ends": "17:30",
        "company-working_days": ["0", "1", "2", "3", "4", "5"],
        "company-card_lead_days": "10",
        "company-observe_public_holidays": "on",
        "company-reply_within_minutes": "60",
        "company-calls_per_day": "6",
        "company-cadence_a_days": "21",
        "company-cadence_b_days": "90",
        "company-cadence_c_days": "180",
        "company-tier_a_percent": "20",
        "company-tier_b_percent": "30",
        "company-article_every_months": "6",
        "company-emails_per_minute": "600",
        "company-lunch_every_days": "14",
        "company-leaderboard": "on",
    }
    data.update(extra)
    return data


def test_a_user_sets_their_time_zone(client, owner):
    client.login(username=owner.username, password=PASSWORD)
    response = client.post(
        reverse("settings"),
        {
            "profile-first_name": "Liv",
            "profile-last_name": "",
            "profile-email": "liv@example.com",
            "profile-time_zone": "Pacific/Kiritimati",
            "profile-digest_enabled": "on",
            "profile-digest_at": "06:30",
        },
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert (owner.first_name, owner.time_zone) == ("Liv", "Pacific/Kiritimati")
    now = dt.datetime(2026, 11, 22, 11, 0, tzinfo=dt.UTC)
    assert owner.local_date(now) == dt.date(2026, 11, 23)


def test_a_bad_time_zone_is_refused(client, owner):
    client.login(username=owner.username, password=PASSWORD)
    response = client.post(
        reverse("settings"),
        {"profile-email": "x@example.com", "profile-time_zone": "Mars/Base"},
    )
    assert "Select a valid choice" in response.content.decode()
    owner.refresh_from_db()
    assert owner.time_zone == ""


def test_an_admin_changes_the_company(client, admin_user, company):
    client.login(username=admin_user.username, password=PASSWORD)
    assert client.post(reverse("settings"), company_data()).status_code == 302
    company = Company.get()
    assert (company.country, company.time_zone, company.working_days) == (
        "GB",
        "Europe/London",
        "0,1,2,3,4,5",
    )
    assert company.business_day_starts == dt.time(8, 30)
    assert company.card_lead_days == 10
    assert (company.calls_per_day, company.cadence_days("A"), company.cadence_days("C")) == (
        6,
        21,
        180,
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"company-business_day_ends": "07:00"}, "The business day must end after it starts."),
        ({"company-working_days": []}, "At least one working day is needed."),
        ({"company-country": "ZZ"}, "is not a two-letter country code"),
        ({"company-card_lead_days": "61"}, "less than or equal to 60"),
        ({"company-cadence_a_days": "120"}, "tier A’s cadence must be no longer than"),
        ({"company-reply_within_minutes": "0"}, "greater than or equal to 1"),
        ({"company-tier_b_percent": "90"}, "cannot be more than 100% of customers"),
    ],
)
def test_company_settings_explain_bad_input(client, admin_user, company, extra, message):
    client.login(username=admin_user.username, password=PASSWORD)
    response = client.post(reverse("settings"), company_data(**extra))
    assert message in response.content.decode()
    assert Company.get().time_zone == "America/New_York"


def test_a_rep_cannot_change_the_company(client, owner, company):
    client.login(username=owner.username, password=PASSWORD)
    page = client.get(reverse("settings")).content.decode()
    assert "Save the company" not in page
    assert client.post(reverse("settings"), company_data()).status_code == 403
    assert Company.get().country == "US"
