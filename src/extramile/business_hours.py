"""Business time: working days, opening hours, public holidays and time zones.

One rule for every clock in the product (the reply-within-the-hour clock, service-request targets,
"within two working days"). :class:`BusinessHours` is pure: it takes the opening hours, the working
weekdays, the zone and the holidays; :func:`for_user` builds one from the company's settings and a
user's time zone.

All arithmetic happens on aware datetimes converted to UTC: a day's opening window is built in the
local zone (09:00–18:00 local, whatever the UTC offset is that day) and converted at once, so the
spring-forward and fall-back days simply have a shorter or longer night.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extramile.accounts.models import Company, User

UTC = dt.UTC
# A clock never looks further than this for its next open minute (a company open one day a year
# still gets an answer; a calendar with no working day at all is refused up front).
HORIZON_DAYS = 3700


@functools.lru_cache(maxsize=512)
def public_holidays(country: str, year: int, subdivision: str = "") -> frozenset[dt.date]:
    """The public holidays of ``country`` (and optional subdivision) in ``year``, from the
    ``holidays`` package. A country the package does not know has none."""
    import holidays

    if not country:
        return frozenset()
    try:
        calendar = holidays.country_holidays(
            country.upper(), subdiv=subdivision or None, years=year
        )
    except NotImplementedError:
        return frozenset()
    return frozenset(calendar.keys())


@dataclass(frozen=True)
class BusinessHours:
    opens: dt.time
    closes: dt.time
    weekdays: frozenset[int]
    zone: zoneinfo.ZoneInfo
    holiday_country: str = ""
    holiday_subdivision: str = ""
    extra_closed: frozenset[dt.date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.weekdays:
            raise ValueError("Business hours need at least one working weekday.")
        if self.opens >= self.closes:
            raise ValueError("The business day must end after it starts.")

    # Days -------------------------------------------------------------------------------------
    def is_working_day(self, day: dt.date) -> bool:
        if day.weekday() not in self.weekdays or day in self.extra_closed:
            return False
        if self.holiday_country:
            return day not in public_holidays(
                self.holiday_country, day.year, self.holiday_subdivision
            )
        return True

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        """The ``count``-th working day after ``day`` (``count`` = 0: ``day`` itself if it is a
        working day, else the next one)."""
        if count < 0:
            raise ValueError("count must be zero or more")
        current = day
        if count == 0:
            return self.next_working_day(day)
        for _ in range(HORIZON_DAYS):
            current += dt.timedelta(days=1)
            if self.is_working_day(current):
                count -= 1
                if count == 0:
                    return current
        raise ValueError("No working day found within ten years.")

    def next_working_day(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the first working day after it."""
        current = day
        for _ in range(HORIZON_DAYS):
            if self.is_working_day(current):
                return current
            current += dt.timedelta(days=1)
        raise ValueError("No working day found within ten years.")

    def local_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.zone).date()

    # Minutes ----------------------------------------------------------------------------------
    def window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The day's open hours as UTC datetimes, or None when closed that day."""
        return _window(self, day)

    def add_minutes(self, start: dt.datetime, minutes: float) -> dt.datetime:
        """The moment ``minutes`` business minutes after ``start`` (an aware datetime).

        A message at 17:55 on a Friday with hours ending at 18:00 plus 60 minutes is due at 09:55
        on the next working day. The result is in UTC.
        """
        if start.tzinfo is None:
            raise ValueError("start must be an aware datetime")
        moment = start.astimezone(UTC)
        if minutes <= 0:
            return moment
        remaining = dt.timedelta(minutes=minutes)
        day = self.local_date(moment) - dt.timedelta(days=1)  # an overnight window may hold it
        for _ in range(HORIZON_DAYS):
            window = _window(self, day)
            if window is not None:
                opens, closes = window
                begin = max(opens, moment)
                if begin < closes:
                    available = closes - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
            day += dt.timedelta(days=1)
        raise ValueError("No working day found within ten years.")

    def minutes_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Business minutes from ``start`` to ``end`` (0 when ``end`` is not after ``start``)."""
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("start and end must be aware datetimes")
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if end <= start:
            return 0.0
        total = dt.timedelta()
        day = self.local_date(start) - dt.timedelta(days=1)
        last = self.local_date(end)
        while day <= last:
            window = _window(self, day)
            if window is not None:
                begin, finish = max(window[0], start), min(window[1], end)
                if begin < finish:
                    total += finish - begin
            day += dt.timedelta(days=1)
        return total.total_seconds() / 60

    def is_open(self, moment: dt.datetime) -> bool:
        window = _window(self, self.local_date(moment))
        return window is not None and window[0] <= moment < window[1]


@functools.lru_cache(maxsize=65536)
def _window(hours: BusinessHours, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
    if not hours.is_working_day(day):
        return None
    opens = dt.datetime.combine(day, hours.opens, tzinfo=hours.zone).astimezone(UTC)
    closes = dt.datetime.combine(day, hours.closes, tzinfo=hours.zone).astimezone(UTC)
    if closes <= opens:  # a DST jump swallowed the whole window
        return None
    return opens, closes


def for_company(company: Company, zone: zoneinfo.ZoneInfo | None = None) -> BusinessHours:
    """The company's business hours, in ``zone`` (default: the company's time zone)."""
    return BusinessHours(
        opens=company.business_day_starts,
        closes=company.business_day_ends,
        weekdays=company.working_weekdays,
        zone=zone or company.zone,
        holiday_country=company.country if company.observe_public_holidays else "",
    )


def for_user(user: User | None, company: Company | None = None) -> BusinessHours:
    """The company's hours and holidays, in the user's own time zone (the company's when the
    user has none or there is no user)."""
    from extramile.accounts.models import Company

    company = company or Company.get()
    zone = user.zone(company) if user is not None else company.zone
    return for_company(company, zone)
