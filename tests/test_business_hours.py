"""Business-hours arithmetic: the clock behind replies within the hour, service targets and
"within two working days". Pure functions, so most of it is checked with hypothesis."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from extramile.business_hours import BusinessHours, for_company, for_user

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
WEEKDAYS = frozenset(range(5))


def nine_to_six(zone: str = "America/New_York", country: str = "US", **extra) -> BusinessHours:
    return BusinessHours(
        opens=dt.time(9),
        closes=dt.time(18),
        weekdays=extra.pop("weekdays", WEEKDAYS),
        zone=zoneinfo.ZoneInfo(zone),
        holiday_country=country,
        **extra,
    )


def local(zone: zoneinfo.ZoneInfo, *args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zone)


def test_a_message_just_before_friday_closing_is_due_monday_morning():
    hours = nine_to_six()
    due = hours.add_minutes(local(NEW_YORK, 2026, 11, 20, 17, 55), 60)  # a Friday
    assert due.astimezone(NEW_YORK) == local(NEW_YORK, 2026, 11, 23, 9, 55)


def test_within_the_day_it_is_plain_minutes():
    hours = nine_to_six()
    due = hours.add_minutes(local(NEW_YORK, 2026, 11, 23, 10, 15), 60)
    assert due.astimezone(NEW_YORK) == local(NEW_YORK, 2026, 11, 23, 11, 15)


def test_a_message_at_night_starts_its_clock_at_opening():
    hours = nine_to_six()
    due = hours.add_minutes(local(NEW_YORK, 2026, 11, 23, 22, 40), 60)
    assert due.astimezone(NEW_YORK) == local(NEW_YORK, 2026, 11, 24, 10, 0)


def test_an_hour_before_closing_is_due_at_closing():
    hours = nine_to_six()
    due = hours.add_minutes(local(NEW_YORK, 2026, 11, 23, 17, 0), 60)
    assert due.astimezone(NEW_YORK) == local(NEW_YORK, 2026, 11, 23, 18, 0)


def test_public_holidays_are_closed():
    hours = nine_to_six()
    # Thanksgiving 2026 is Thursday 26 November.
    assert not hours.is_working_day(dt.date(2026, 11, 26))
    due = hours.add_minutes(local(NEW_YORK, 2026, 11, 25, 17, 30), 60)
    assert due.astimezone(NEW_YORK) == local(NEW_YORK, 2026, 11, 27, 9, 30)
    without = nine_to_six(country="")
    assert without.is_working_day(dt.date(2026, 11, 26))


def test_another_countrys_holidays():
    hours = nine_to_six("Europe/London", "GB")
    assert not hours.is_working_day(dt.date(2026, 12, 28))  # Boxing Day, observed
    assert hours.is_working_day(dt.date(2026, 11, 26))


def test_an_unknown_holiday_country_has_no_holidays():
    hours = nine_to_six(country="TA")  # Tristan da Cunha: a phone region, no holiday calendar
    assert hours.is_working_day(dt.date(2026, 12, 25))


def test_the_users_time_zone_sets_the_clock():
    tokyo = nine_to_six("Asia/Tokyo", country="")
    # 08:00 UTC Monday is 17:00 in Tokyo: an hour left that day.
    due = tokyo.add_minutes(dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC), 90)
    assert due.astimezone(tokyo.zone) == local(tokyo.zone, 2026, 11, 24, 9, 30)


def test_spring_forward_and_fall_back_keep_local_opening_hours():
    every_day = frozenset(range(7))
    hours = nine_to_six(country="", weekdays=every_day)
    # New York springs forward on Sunday 8 March 2026: still 9 local hours open.
    assert hours.minutes_between(
        local(NEW_YORK, 2026, 3, 8, 0, 0), local(NEW_YORK, 2026, 3, 9, 0, 0)
    ) == pytest.approx(9 * 60)
    night = BusinessHours(opens=dt.time(1), closes=dt.time(4), weekdays=every_day, zone=NEW_YORK)
    # 01:00–04:00 local is two real hours on the spring-forward night, four on the fall-back one.
    day_start = dt.datetime(2026, 3, 8, tzinfo=NEW_YORK)
    assert night.minutes_between(day_start, day_start + dt.timedelta(hours=12)) == 120
    autumn = dt.datetime(2026, 11, 1, tzinfo=NEW_YORK)
    assert night.minutes_between(autumn, autumn + dt.timedelta(hours=12)) == 240


def test_working_days():
    hours = nine_to_six()
    friday = dt.date(2026, 11, 20)
    assert hours.add_working_days(friday, 2) == dt.date(2026, 11, 24)
    assert hours.add_working_days(dt.date(2026, 11, 25), 1) == dt.date(2026, 11, 27)
    assert hours.next_working_day(dt.date(2026, 11, 21)) == dt.date(2026, 11, 23)
    assert hours.add_working_days(friday, 0) == friday


def test_nonsense_hours_are_refused():
    with pytest.raises(ValueError, match="at least one working weekday"):
        nine_to_six(weekdays=frozenset())
    with pytest.raises(ValueError, match="end after it starts"):
        BusinessHours(opens=dt.time(18), closes=dt.time(9), weekdays=WEEKDAYS, zone=NEW_YORK)
    with pytest.raises(ValueError, match="aware"):
        nine_to_six().add_minutes(dt.datetime(2026, 11, 23, 9), 60)


@pytest.mark.django_db
def test_hours_from_the_company_and_the_user(company, owner):
    company.business_day_starts = dt.time(8, 30)
    company.working_days = "0,1,2,3"
    company.save()
    owner.time_zone = "Europe/Berlin"
    hours = for_user(owner, company)
    assert (hours.opens, hours.weekdays, hours.zone.key) == (
        dt.time(8, 30),
        frozenset({0, 1, 2, 3}),
        "Europe/Berlin",
    )
    assert for_company(company).zone.key == "America/New_York"
    company.observe_public_holidays = False
    assert for_user(None, company).holiday_country == ""


# Properties over zones with and without daylight saving, odd hours and odd weeks ------------

ZONES = ["America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata", "Pacific/Chatham"]

hours_strategy = st.builds(
    lambda zone, opens, length, days, country: BusinessHours(
        opens=dt.time(opens // 60, opens % 60),
        closes=dt.time(min(opens + length, 24 * 60 - 1) // 60, min(opens + length, 1439) % 60),
        weekdays=frozenset(days),
        zone=zoneinfo.ZoneInfo(zone),
        holiday_country=country,
    ),
    zone=st.sampled_from(ZONES),
    opens=st.integers(0, 20 * 60),
    length=st.integers(30, 12 * 60),
    days=st.sets(st.integers(0, 6), min_size=1),
    country=st.sampled_from(["", "US", "GB"]),
)
moments = st.datetimes(
    min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2032, 1, 1), timezones=st.just(dt.UTC)
)


@settings(max_examples=300, deadline=None)
@given(hours=hours_strategy, start=moments, minutes=st.integers(0, 6000))
def test_adding_minutes_adds_exactly_that_much_open_time(hours, start, minutes):
    due = hours.add_minutes(start, minutes)
    assert due >= start
    assert hours.minutes_between(start, due) == pytest.approx(minutes, abs=1e-6)
    if minutes:
        # The deadline falls inside (or at the close of) a working window.
        day = hours.local_date(due - dt.timedelta(microseconds=1))
        window = hours.window(day)
        assert window is not None and window[0] < due <= window[1]


@settings(max_examples=200, deadline=None)
@given(hours=hours_strategy, start=moments, a=st.integers(0, 3000), b=st.integers(0, 3000))
def test_more_minutes_never_end_earlier(hours, start, a, b):
    assume(a <= b)
    assert hours.add_minutes(start, a) <= hours.add_minutes(start, b)


@settings(max_examples=200, deadline=None)
@given(
    hours=hours_strategy,
    a=moments,
    gap1=st.integers(0, 10 * 24 * 60),
    gap2=st.integers(0, 10 * 24 * 60),
)
def test_business_minutes_add_up_and_never_exceed_real_minutes(hours, a, gap1, gap2):
    b = a + dt.timedelta(minutes=gap1)
    c = b + dt.timedelta(minutes=gap2)
    ab, bc, ac = (
        hours.minutes_between(a, b),
        hours.minutes_between(b, c),
        hours.minutes_between(a, c),
    )
    assert ab + bc == pytest.approx(ac, abs=1e-6)
    assert 0 <= ab <= gap1 + 1e-6
    assert hours.minutes_between(c, a) == 0


@settings(max_examples=200, deadline=None)
@given(
    hours=hours_strategy,
    day=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2031, 12, 31)),
    count=st.integers(1, 30),
)
def test_working_days_skip_weekends_and_holidays(hours, day, count):
    result = hours.add_working_days(day, count)
    assert hours.is_working_day(result)
    between = [day + dt.timedelta(days=offset) for offset in range(1, (result - day).days + 1)]
    assert sum(hours.is_working_day(d) for d in between) == count
