"""The service clocks, in business time: pure functions over ``business_hours.BusinessHours``.

A deadline is ``opened_at`` plus the target plus every business minute the clock was paused:

    due = hours.add_minutes(opened_at, target + paused_minutes)

A clock pauses while the request waits on the customer, and (for the resolution clock) between
resolving and reopening. A pause only credits minutes when it began before the deadline: a clock
already breached stays breached, whatever happens next. So the business minutes the clock really
ran between opening and its deadline always add up to the target (tests/service/test_clocks.py
checks this with hypothesis).
"""

from __future__ import annotations

import datetime as dt

from extramile.business_hours import BusinessHours


def deadline(
    hours: BusinessHours, opened_at: dt.datetime, target_minutes: float, paused_minutes: float
) -> dt.datetime:
    return hours.add_minutes(opened_at, target_minutes + paused_minutes)


def pause_credit(
    hours: BusinessHours, due: dt.datetime, paused_at: dt.datetime, resumed_at: dt.datetime
) -> float:
    """Business minutes a pause from ``paused_at`` to ``resumed_at`` adds to a clock due at
    ``due``: all of them when the pause began before the deadline, none when it was breached
    already."""
    if paused_at >= due:
        return 0.0
    return hours.minutes_between(paused_at, resumed_at)


def minutes_left(hours: BusinessHours, due: dt.datetime, now: dt.datetime) -> float:
    """Business minutes until ``due`` (negative: how far past it)."""
    if now <= due:
        return hours.minutes_between(now, due)
    return -hours.minutes_between(due, now)


def format_minutes(minutes: float) -> str:
    """“25 min”, “2 h 5 min”, “31 h”: business time, rounded to the minute."""
    whole = round(abs(minutes))
    if whole < 60:
        return f"{whole} min"
    hours, rest = divmod(whole, 60)
    if hours >= 10 or not rest:
        return f"{hours} h"
    return f"{hours} h {rest} min"
