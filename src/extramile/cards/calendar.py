"""Occasion calendar: on which date a holiday or company occasion falls in a given year.

Pure Python, no Django models. Two kinds of holiday codes exist:

* built-ins (``BUILT_IN``), computed here from dateutil and the calendars of the
  ``holidays`` package;
* ``"holidays:<CC>:<Name>"``: any holiday of the ``holidays`` package for country ``CC``,
  matched by the exact name in the country's *own default language* (e.g.
  ``"holidays:DE:Tag der Deutschen Einheit"``). The language is always passed explicitly,
  because ``holidays`` otherwise guesses it from the LANG/LC_* environment variables.
  The package's "(estimated)" label is stripped from names, so a code keeps working
  when a date goes from estimated to confirmed.

Conventions of the lunar/lunisolar built-ins (all from ``holidays.calendars``):

* hanukkah: the first full day (25 Kislev); candles are first lit the evening before.
  Years 1947-2100.
* diwali: the date India's government list uses (``diwali_india_date``). Years 2001-2035.
* eid_al_fitr: the tabulated Umm al-Qura date; local moon-sighting observance may be a day
  later. Years 1925-2100. In the rare years with two Eids (e.g. 2033) the first is used.
* lunar_new_year: Chinese calendar (Korean/Vietnamese may differ in rare years).
  Years 1901-2100.

Outside those years ``holiday_date`` returns None.
"""

from __future__ import annotations

import datetime
from calendar import isleap, monthrange
from collections.abc import Callable, Iterable
from functools import lru_cache

import holidays
from dateutil.easter import EASTER_ORTHODOX, EASTER_WESTERN, easter
from holidays.calendars import (
    _ChineseLunisolar,
    _HebrewLunisolar,
    _HinduLunisolar,
    _IslamicLunar,
)
from holidays.holiday_base import HolidayBase

from extramile import clock

__all__ = [
    "BUILT_IN",
    "DEFAULT_ON",
    "PACKAGE_PREFIX",
    "UnknownHoliday",
    "available_holidays",
    "check_holiday_code",
    "fixed_date",
    "holiday_date",
    "holiday_name",
    "nth_weekday",
    "occurrences",
]

BUILT_IN: dict[str, str] = {
    "christmas": "Christmas",
    "new_year": "New Year",
    "easter": "Easter",
    "orthodox_easter": "Orthodox Easter",
    "thanksgiving": "Thanksgiving",
    "hanukkah": "Hanukkah",
    "diwali": "Diwali",
    "eid_al_fitr": "Eid al-Fitr",
    "lunar_new_year": "Lunar New Year",
}
DEFAULT_ON: tuple[str, ...] = ("christmas", "new_year")
PACKAGE_PREFIX = "holidays"

_MONDAY, _THURSDAY = 0, 3
_CHECK_YEARS_BACK, _CHECK_YEARS_AHEAD = 2, 3

_HEBREW = _HebrewLunisolar()
_HINDU = _HinduLunisolar()
_ISLAMIC = _IslamicLunar()
_CHINESE = _ChineseLunisolar()


class UnknownHoliday(ValueError):
    """Raised for a code that is neither a built-in nor a valid ``holidays:CC:Name`` code."""

    def __init__(self, code: str, reason: str = "") -> None:
        detail = f" ({reason})" if reason else ""
        super().__init__(f"{code!r} is not a holiday code; pick one from the list{detail}.")
        self.code = code


# --- generic date helpers -------------------------------------------------------------


def nth_weekday(year: int, month: int, weekday: int, n: int) -> datetime.date | None:
    """The n-th (1..5, or -1 = last) `weekday` (0 = Monday) of the month; None if absent."""
    if n not in (1, 2, 3, 4, 5, -1):
        raise ValueError(f"n must be 1..5 or -1 (last), not {n}")
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be 0 (Monday)..6 (Sunday), not {weekday}")
    days_in_month = monthrange(year, month)[1]
    if n == -1:
        last = datetime.date(year, month, days_in_month)
        return last - datetime.timedelta(days=(last.weekday() - weekday) % 7)
    day = 1 + (weekday - datetime.date(year, month, 1).weekday()) % 7 + 7 * (n - 1)
    return datetime.date(year, month, day) if day <= days_in_month else None


def fixed_date(month: int, day: int, year: int) -> datetime.date:
    """The date month/day in `year`; 29 February falls on 28 February in common years."""
    if (month, day) == (2, 29) and not isleap(year):
        return datetime.date(year, 2, 28)
    return datetime.date(year, month, day)


def occurrences(
    when: Callable[[int], datetime.date | None], start: datetime.date, end: datetime.date
) -> list[datetime.date]:
    """Every date of an annual occasion within [start, end], inclusive."""
    dates = (when(year) for year in range(start.year, end.year + 1))
    return [d for d in dates if d is not None and start <= d <= end]


# --- built-in rules -------------------------------------------------------------------


def _first_in_year(dates: Iterable[datetime.date], year: int) -> datetime.date | None:
    """The earliest of `dates` that lies in `year`."""
    return min((d for d in dates if d.year == year), default=None)


def _christmas(year: int, _country: str) -> datetime.date:
    return datetime.date(year, 12, 25)


def _new_year(year: int, _country: str) -> datetime.date:
    return datetime.date(year, 1, 1)


def _easter(year: int, _country: str) -> datetime.date:
    return easter(year, EASTER_WESTERN)


def _orthodox_easter(year: int, _country: str) -> datetime.date:
    return easter(year, EASTER_ORTHODOX)


def _thanksgiving(year: int, country: str) -> datetime.date | None:
    """Canada: second Monday of October; everyone else: fourth Thursday of November."""
    if country == "CA":
        return nth_weekday(year, 10, _MONDAY, 2)
    return nth_weekday(year, 11, _THURSDAY, 4)


def _hanukkah(year: int, _country: str) -> datetime.date | None:
    """First full day of Hanukkah (the evening before is the first candle)."""
    return _first_in_year(_HEBREW.hanukkah_date(year), year)


def _diwali(year: int, _country: str) -> datetime.date | None:
    return _HINDU.diwali_india_date(year)[0]


def _eid_al_fitr(year: int, _country: str) -> datetime.date | None:
    return _first_in_year((d for d, _estimated in _ISLAMIC.eid_al_fitr_dates(year)), year)


def _lunar_new_year(year: int, _country: str) -> datetime.date | None:
    return _CHINESE.lunar_new_year_date(year)[0]


_RULES: dict[str, Callable[[int, str], datetime.date | None]] = {
    "christmas": _christmas,
    "new_year": _new_year,
    "easter": _easter,
    "orthodox_easter": _orthodox_easter,
    "thanksgiving": _thanksgiving,
    "hanukkah": _hanukkah,
    "diwali": _diwali,
    "eid_al_fitr": _eid_al_fitr,
    "lunar_new_year": _lunar_new_year,
}


# --- holidays-package codes -----------------------------------------------------------


@lru_cache(maxsize=1)
def _supported_countries() -> frozenset[str]:
    return frozenset(holidays.list_supported_countries(include_aliases=False))


def _require_country(code: str, country: str) -> str:
    """`country` if the holidays package supports it, else raise UnknownHoliday."""
    if country not in _supported_countries():
        raise UnknownHoliday(code, f"no holiday list for country {country!r}")
    return country


def _parse_package_code(code: str) -> tuple[str, str]:
    """Split ``holidays:CC:Name`` into (CC, Name); raise UnknownHoliday otherwise."""
    prefix, _, rest = code.partition(":")
    country, sep, name = rest.partition(":")
    if prefix != PACKAGE_PREFIX or not sep or not country or not name:
        raise UnknownHoliday(code)
    return country, name


def _package_code(country: str, name: str) -> str:
    return f"{PACKAGE_PREFIX}:{country}:{name}"


@lru_cache(maxsize=512)
def _language(country: str) -> str | None:
    """The country's default language (holidays' own spelling of names)."""
    return holidays.country_holidays(country).default_language


def _unwrap(label: str, name: str) -> str | None:
    """The `%s` part of `name` if it has the shape of `label` (e.g. "%s (estimated)")."""
    prefix, sep, suffix = label.partition("%s")
    if not sep or not (prefix or suffix) or len(name) <= len(prefix) + len(suffix):
        return None
    if name.startswith(prefix) and name.endswith(suffix):
        return name[len(prefix) : len(name) - len(suffix)]
    return None


def _canonical(entity: HolidayBase, name: str) -> str:
    """`name` without the package's "estimated" marker (kept "observed" marker)."""
    labels = {
        attr: entity.tr(label)
        for attr in ("estimated_label", "observed_estimated_label", "observed_label")
        if (label := getattr(entity, attr, None))
    }
    if "estimated_label" in labels and (base := _unwrap(labels["estimated_label"], name)):
        return base
    observed = labels.get("observed_label")
    if observed and "observed_estimated_label" in labels:
        base = _unwrap(labels["observed_estimated_label"], name)
        if base:
            return observed % base
    return name


@lru_cache(maxsize=1024)
def _package_year(country: str, year: int) -> tuple[tuple[datetime.date, str], ...]:
    """(date, name) of every holiday of `country` in `year`, sorted by date."""
    entity = holidays.country_holidays(country, years=year, language=_language(country))
    return tuple(
        (day, _canonical(entity, name))
        for day in sorted(entity)
        if day.year == year
        for name in entity.get_list(day)
    )


def _package_date(country: str, name: str, year: int) -> datetime.date | None:
    return next((day for day, other in _package_year(country, year) if other == name), None)


# --- public API -----------------------------------------------------------------------


def holiday_date(code: str, year: int, country: str = "US") -> datetime.date | None:
    """The date in `year` of a built-in or ``holidays:CC:Name`` code; None if none that year.

    `country` only matters for thanksgiving (CA differs). Raises UnknownHoliday for bad codes.
    """
    return _holiday_date(code, year, country.strip().upper())


@lru_cache(maxsize=16384)
def _holiday_date(code: str, year: int, country: str) -> datetime.date | None:
    rule = _RULES.get(code)
    if rule is not None:
        return rule(year, country)
    package_country, name = _parse_package_code(code)
    _require_country(code, package_country)
    return _package_date(package_country, name, year)


def holiday_name(code: str) -> str:
    """Display name: the built-in's name, or the holiday name inside the code."""
    if code in BUILT_IN:
        return BUILT_IN[code]
    return _parse_package_code(code)[1]


def available_holidays(country: str, year: int) -> list[tuple[str, str]]:
    """(code, name) of the built-ins, then of the country's holidays in `year` by date."""
    cc = country.strip().upper()
    if cc not in _supported_countries():
        raise ValueError(f"No holiday list for country {country!r}.")
    choices = list(BUILT_IN.items())
    seen = set(BUILT_IN)
    for _day, name in _package_year(cc, year):
        code = _package_code(cc, name)
        if code not in seen:
            seen.add(code)
            choices.append((code, name))
    return choices


def _check_years() -> range:
    this_year = clock.now().year
    return range(this_year - _CHECK_YEARS_BACK, this_year + _CHECK_YEARS_AHEAD + 1)


def check_holiday_code(code: str) -> str | None:
    """None when `code` is usable, else a message saying why not."""
    if code in BUILT_IN:
        return None
    try:
        country, name = _parse_package_code(code)
        _require_country(code, country)
    except UnknownHoliday as exc:
        return str(exc)
    years = _check_years()
    if any(_package_date(country, name, year) for year in years):
        return None
    reason = f"{country} has no holiday named {name!r} in {years.start}-{years.stop - 1}"
    return str(UnknownHoliday(code, reason))
