"""The reply clock: a deadline in business minutes, in the owner's hours, zone and holidays."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extramile.accounts.models import Company
from extramile.business_hours import for_company
from extramile.inbox.bulk import deadlines
from extramile.inbox.clock import clock, reply_due_at
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
LONDON = zoneinfo.ZoneInfo("Europe/London")


def at(zone, *parts):
    return dt.datetime(*parts, tzinfo=zone)


def test_friday_1755_is_due_at_0955_on_monday(company, owner):
    due = reply_due_at(at(NEW_YORK, 2026, 11, 20, 17, 55), owner, company)
    assert due == at(NEW_YORK, 2026, 11, 23, 9, 55)


def test_a_public_holiday_is_skipped(company, owner):
    # Thanksgiving, Thursday 26 November 2026: a message late on Wednesday waits until Friday.
    due = reply_due_at(at(NEW_YORK, 2026, 11, 25, 17, 30), owner, company)
    assert due == at(NEW_YORK, 2026, 11, 27, 9, 30)


def test_holidays_count_only_when_the_company_observes_them(company, owner):
    company.observe_public_holidays = False
    company.save()
    due = reply_due_at(at(NEW_YORK, 2026, 11, 25, 17, 30), owner, company)
    assert due == at(NEW_YORK, 2026, 11, 26, 9, 30)


def test_the_reps_own_time_zone_sets_their_hours(company):
    rep = make_user("lena", time_zone="Europe/London")
    # 17:30 in London on a Friday is 12:30 in New York: still open there, but not for Lena.
    due = reply_due_at(at(LONDON, 2026, 11, 20, 17, 30), rep, company)
    assert due == at(LONDON, 2026, 11, 23, 9, 30)


def test_the_target_is_a_company_setting(company, owner):
    company.reply_within_minutes = 15
    company.save()
    due = reply_due_at(at(NEW_YORK, 2026, 11, 23, 10, 0), owner, company)
    assert due == at(NEW_YORK, 2026, 11, 23, 10, 15)


def test_a_message_at_night_is_due_an_hour_after_opening(company, owner):
    due = reply_due_at(at(NEW_YORK, 2026, 11, 24, 2, 0), owner, company)
    assert due == at(NEW_YORK, 2026, 11, 24, 10, 0)


def test_minutes_left_and_overdue_are_business_minutes(company):
    hours = for_company(company)
    due = at(NEW_YORK, 2026, 11, 23, 9, 55)
    assert clock(due, at(NEW_YORK, 2026, 11, 23, 9, 32), hours).label == "23 min left"
    # Friday 17:50 to Monday 09:55: 10 + 55 business minutes.
    assert clock(due, at(NEW_YORK, 2026, 11, 20, 17, 50), hours).label == "1 h 5 min left"
    late = clock(due, at(NEW_YORK, 2026, 11, 23, 10, 7), hours)
    assert late.overdue and late.label == "overdue by 12 min"


@settings(max_examples=150, deadline=None)
@given(
    received=st.datetimes(
        min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2028, 12, 31)
    ).map(lambda d: d.replace(tzinfo=dt.UTC)),
    zone=st.sampled_from(["", "Europe/London", "Asia/Kolkata", "America/Los_Angeles"]),
    target=st.integers(min_value=1, max_value=600),
)
def test_deadline_is_target_business_minutes_later_and_inside_hours(received, zone, target):
    """Whatever the moment, zone and target (DST changes included), the deadline is exactly the
    target in business minutes later and falls within opening hours."""
    company = Company(reply_within_minutes=target, country="US", time_zone="America/New_York")
    [due] = deadlines([(received, zone)], company)
    hours = for_company(company, zoneinfo.ZoneInfo(zone) if zone else None)
    assert due > received
    assert hours.minutes_between(received, due) == pytest.approx(target)
    window = hours.window(hours.local_date(due))
    assert window is not None and window[0] < due <= window[1]
