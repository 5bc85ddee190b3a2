"""Hypothesis: however a request is paused and resumed, the business minutes its clock really ran
between opening and the deadline add up to the target (a pause begun after the deadline credits
nothing and lies after it, so a breach stands and the sum still holds)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from hypothesis import given, settings
from hypothesis import strategies as st

from extramile.business_hours import BusinessHours
from extramile.service import clocks

HOURS = BusinessHours(
    opens=dt.time(9),
    closes=dt.time(18),
    weekdays=frozenset(range(5)),
    zone=zoneinfo.ZoneInfo("America/New_York"),
    holiday_country="US",
)
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
moments = st.integers(min_value=0, max_value=60 * 24 * 400).map(
    lambda m: START + dt.timedelta(minutes=m)
)
gaps = st.lists(st.tuples(st.integers(1, 60 * 24 * 10), st.integers(1, 60 * 24 * 10)), max_size=6)


def overlap(a: tuple[dt.datetime, dt.datetime], b: tuple[dt.datetime, dt.datetime]) -> float:
    start, end = max(a[0], b[0]), min(a[1], b[1])
    return HOURS.minutes_between(start, end) if start < end else 0.0


@settings(max_examples=150, deadline=None)
@given(opened=moments, target=st.integers(1, 60 * 9 * 10), pauses=gaps)
def test_unpaused_business_minutes_to_the_deadline_equal_the_target(opened, target, pauses):
    paused_minutes = 0.0
    due = clocks.deadline(HOURS, opened, target, paused_minutes)
    cursor = opened
    intervals = []
    for run, wait in pauses:
        paused_at = cursor + dt.timedelta(minutes=run)
        resumed_at = paused_at + dt.timedelta(minutes=wait)
        paused_minutes += clocks.pause_credit(HOURS, due, paused_at, resumed_at)
        due = clocks.deadline(HOURS, opened, target, paused_minutes)
        intervals.append((paused_at, resumed_at))
        cursor = resumed_at
    ran = HOURS.minutes_between(opened, due) - sum(overlap(p, (opened, due)) for p in intervals)
    assert abs(ran - target) < 1e-6


@settings(max_examples=100, deadline=None)
@given(opened=moments, target=st.integers(1, 60 * 9 * 10), pause=st.tuples(moments, moments))
def test_a_pause_after_the_deadline_changes_nothing(opened, target, pause):
    due = clocks.deadline(HOURS, opened, target, 0)
    paused_at, resumed_at = sorted(pause)
    if paused_at <= due:
        return
    assert clocks.pause_credit(HOURS, due, paused_at, resumed_at) == 0


@given(minutes=st.floats(min_value=-10_000, max_value=10_000, allow_nan=False))
def test_formatted_minutes_are_never_negative(minutes):
    assert not clocks.format_minutes(minutes).startswith("-")
