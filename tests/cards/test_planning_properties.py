"""Properties of card planning over many years: every birthday gets exactly one card a year, on
its day (28 February for a 29 February birthday in a common year), mailed in time on a working
day."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extramile.book.dates import occurs_on
from extramile.cards.models import Card, Occasion
from extramile.cards.planning import mail_by, plan_cards
from tests.conftest import NOW, make_customer

working_days = st.frozensets(st.integers(0, 6), min_size=1)
days = st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31))


@given(occasion=days, lead=st.integers(0, 60), weekdays=working_days)
def test_mail_by_is_a_working_day_at_least_the_lead_time_before(occasion, lead, weekdays):
    due = mail_by(occasion, lead, weekdays)
    assert due.weekday() in weekdays
    assert occasion - dt.timedelta(days=lead + 6) <= due <= occasion - dt.timedelta(days=lead)


class Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    birthday=st.dates(dt.date(2000, 1, 1), dt.date(2000, 12, 31)),  # 2000 is a leap year
    year=st.integers(2001, 2099),
)
def test_every_birthday_gets_one_card_a_year_on_its_day(owner, birthday, year):
    expected = occurs_on(birthday.month, birthday.day, year)
    due = mail_by(expected, 7, frozenset({0, 1, 2, 3, 4}))
    try:
        with transaction.atomic():
            person = make_customer(
                owner, "Anna", "Smith", birth_month=birthday.month, birth_day=birthday.day
            )
            birthdays = Occasion.objects.filter(code="birthday")
            # A window of mail-by dates around it, planned twice.
            start, end = due - dt.timedelta(days=20), due + dt.timedelta(days=20)
            plan_cards(start, end, NOW, occasions=birthdays)
            plan_cards(start, end, NOW, occasions=birthdays)
            cards = list(Card.objects.filter(customer=person, year=year))
            assert len(cards) == 1
            assert cards[0].occasion_on == expected
            assert cards[0].mail_by == due
            if (birthday.month, birthday.day) == (2, 29) and not calendar.isleap(year):
                assert expected == dt.date(year, 2, 28)
            raise Rollback
    except Rollback:
        pass
