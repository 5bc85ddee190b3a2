"""Month-and-day dates with an optional year (birthdays, anniversaries): the one place for the rules.

A date is valid when it exists in the given year, or, without a year, in some year: so 29 February
is valid with no year or a leap year, and 30 February never is. In a common year, 29 February is
celebrated on 28 February (never slid to 1 March).
"""

from __future__ import annotations

import calendar
import datetime as dt

MONTH_NAMES = list(calendar.month_name)


def check_month_day(month: int | None, day: int | None, year: int | None = None) -> str | None:
    """Return an error message for an impossible date, or None when it is fine."""
    if month is None or day is None:
        return "Give both a month and a day." if (month is None) != (day is None) else None
    if not 1 <= month <= 12:
        return f"{month} is not a month (1–12)."
    if year is not None and not 1800 <= year <= 2200:
        return f"{year} is not a plausible year."
    longest = calendar.monthrange(year if year else 2000, month)[1]  # 2000 is a leap year
    if not 1 <= day <= longest:
        if year:
            return f"{MONTH_NAMES[month]} {year} has no day {day}."
        return f"{MONTH_NAMES[month]} has no day {day}."
    return None


def occurs_on(month: int, day: int, year: int) -> dt.date:
    """The date in ``year`` on which a (month, day) occasion is celebrated."""
    if month == 2 and day == 29 and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return dt.date(year, month, day)


def month_days_on(day: dt.date) -> list[tuple[int, int]]:
    """The (month, day) pairs celebrated on ``day``: 28 February also stands for 29 February in a
    common year."""
    pairs = [(day.month, day.day)]
    if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
        pairs.append((2, 29))
    return pairs


def years_since(year: int | None, on: dt.date) -> int | None:
    return None if year is None else on.year - year


def format_month_day(month: int, day: int, year: int | None = None) -> str:
    text = f"{day} {MONTH_NAMES[month]}"
    return f"{text} {year}" if year else text
