"""Twelve a year: the monthly card programme from one switch."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from extramile.accounts.models import Company
from extramile.book.models import Household
from extramile.cards import messages, monthly
from extramile.cards.models import Card, CardBranding, MonthlyTheme, Occasion, OccasionPreference
from extramile.cards.planning import plan_cards
from tests.conftest import NOW, make_customer

MARCH = (2027, 3)


@pytest.fixture
def switched_on(company):
    branding = CardBranding.get()
    branding.monthly = True
    branding.save()
    return branding


def test_nothing_is_planned_until_the_programme_is_switched_on(owner):
    make_customer(owner, "Anna", "Smith")
    assert monthly.plan_month(*MARCH, NOW).created == 0
    assert not Card.objects.exists()


def test_one_card_a_month_to_every_customer_and_prospect_once_per_household(owner, switched_on):
    home = Household.objects.create(name="The Bauer Family")
    make_customer(owner, "Ben", "Bauer", household=home)
    make_customer(owner, "Anna", "Bauer", household=home)
    make_customer(owner, "Pia", "Prospect", status="prospect")
    make_customer(owner, "Quiet", "One", do_not_mail=True)
    make_customer(owner, "Gone", "Away", status="former")
    out = make_customer(owner, "Opted", "Out")
    OccasionPreference.objects.create(
        customer=out, occasion=Occasion.objects.get(code="monthly"), wants_card=False
    )
    plan = monthly.plan_month(*MARCH, NOW)
    assert plan.created == 2
    cards = Card.objects.select_related("household", "customer")
    assert sorted(c.recipient_name for c in cards) == ["Pia Prospect", "The Bauer Family"]
    assert all(c.occasion.code == "monthly-03" and c.mail_by.month == 3 for c in cards)
    assert all(c.mail_by.weekday() < 5 for c in cards)
    # Idempotent; and April is its own occasion.
    assert monthly.plan_month(*MARCH, NOW).created == 0
    assert monthly.plan_month(2027, 4, NOW).created == 2


def test_nobody_gets_two_cards_in_a_week(owner, switched_on):
    anna = make_customer(owner, "Anna", "Smith", birth_month=3, birth_day=15)
    plan_cards(dt.date(2027, 3, 1), dt.date(2027, 3, 31), NOW,
               occasions=Occasion.objects.filter(code="birthday"))  # fmt: skip
    birthday = Card.objects.get(customer=anna, occasion__code="birthday")
    monthly.plan_month(*MARCH, NOW)
    card = Card.objects.get(customer=anna, occasion__code="monthly-03")
    assert abs((card.mail_by - birthday.mail_by).days) >= monthly.GAP


def test_the_load_is_spread_over_the_months_working_days(owner, switched_on):
    for n in range(46):
        make_customer(owner, f"P{n}", "Person")
    monthly.plan_month(*MARCH, NOW)
    per_day = Counter(Card.objects.values_list("mail_by", flat=True))
    days = monthly.working_days(*MARCH, Company.get())
    assert set(per_day) == set(days)  # 23 working days in March 2027, two cards each
    assert max(per_day.values()) - min(per_day.values()) <= 1


def test_the_card_says_the_months_theme_which_the_company_edits(owner, switched_on):
    make_customer(owner, "Anna", "Smith")
    MonthlyTheme.objects.filter(month=3).update(line="Spring is in the air at our place.")
    monthly.plan_month(*MARCH, NOW)
    card = Card.objects.get()
    assert "Spring is in the air at our place." in messages.draft(card)
    summary = monthly.summary(*MARCH)
    assert summary["on"] and summary["planned"] == 1


def test_the_cards_page_shows_the_programme(client, owner, switched_on):
    from tests.conftest import PASSWORD

    client.login(username=owner.username, password=PASSWORD)
    page = client.get("/cards/").content.decode()
    assert "The monthly card" in page and "On: one card a month" in page
    switched_on.monthly = False
    switched_on.save()
    assert "Off." in client.get("/cards/").content.decode()
