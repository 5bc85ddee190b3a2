"""Tests for the occasion calendar (extramile.cards.calendar)."""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime
import time
from functools import partial

import holidays
import pytest
from dateutil.easter import EASTER_ORTHODOX, EASTER_WESTERN, easter
from hypothesis import given
from hypothesis import strategies as st

from extramile.cards import calendar as occasions
from extramile.cards.calendar import (
    BUILT_IN,
    DEFAULT_ON,
    UnknownHoliday,
    available_holidays,
    check_holiday_code,
    fixed_date,
    holiday_date,
    holiday_name,
    nth_weekday,
    occurrences,
)

D = datetime.date
YEARS = st.integers(min_value=1950, max_value=2150)
SUNDAY = 6


def month_days(year: int, month: int) -> list[datetime.date]:
    """Every day of the month, brute force."""
    return [D(year, month, day) for day in range(1, stdlib_calendar.monthrange(year, month)[1] + 1)]


# --- interface --------------------------------------------------------------------------


def test_built_in_order_and_defaults() -> None:
    assert list(BUILT_IN) == [
        "christmas",
        "new_year",
        "easter",
        "orthodox_easter",
        "thanksgiving",
        "hanukkah",
        "diwali",
        "eid_al_fitr",
        "lunar_new_year",
    ]
    assert BUILT_IN["christmas"] == "Christmas"
    assert BUILT_IN["new_year"] == "New Year"
    assert DEFAULT_ON == ("christmas", "new_year")
    assert set(DEFAULT_ON) <= set(BUILT_IN)


# --- fixed and computed built-ins -------------------------------------------------------


@given(YEARS)
def test_christmas_and_new_year_are_fixed(year: int) -> None:
    assert holiday_date("christmas", year) == D(year, 12, 25)
    assert holiday_date("new_year", year) == D(year, 1, 1)
    assert holiday_date("christmas", year, "DE") == D(year, 12, 25)


@given(YEARS)
def test_easter_matches_dateutil_and_is_a_sunday(year: int) -> None:
    western = holiday_date("easter", year)
    orthodox = holiday_date("orthodox_easter", year)
    assert western == easter(year, EASTER_WESTERN)
    assert orthodox == easter(year, EASTER_ORTHODOX)
    assert western is not None and orthodox is not None
    assert western.weekday() == SUNDAY
    assert orthodox.weekday() == SUNDAY
    assert D(year, 3, 22) <= western <= D(year, 4, 25)


def test_known_easters() -> None:
    assert holiday_date("easter", 2026) == D(2026, 4, 5)
    assert holiday_date("orthodox_easter", 2026) == D(2026, 4, 12)
    assert holiday_date("easter", 2025) == holiday_date("orthodox_easter", 2025) == D(2025, 4, 20)


@given(YEARS, st.sampled_from(["US", "us", "GB", "DE", " US "]))
def test_thanksgiving_us_rule(year: int, country: str) -> None:
    day = holiday_date("thanksgiving", year, country)
    assert day is not None
    assert day.weekday() == 3
    assert D(year, 11, 22) <= day <= D(year, 11, 28)


@given(YEARS, st.sampled_from(["CA", "ca"]))
def test_thanksgiving_canada(year: int, country: str) -> None:
    day = holiday_date("thanksgiving", year, country)
    assert day is not None
    assert day.weekday() == 0
    assert D(year, 10, 8) <= day <= D(year, 10, 14)


def test_known_thanksgivings() -> None:
    assert holiday_date("thanksgiving", 2026) == D(2026, 11, 26)
    assert holiday_date("thanksgiving", 2026, "CA") == D(2026, 10, 12)


# --- lunar / lunisolar built-ins --------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "year", "expected"),
    [
        ("hanukkah", 2025, D(2025, 12, 15)),  # first full day; candles lit at sundown 12-14
        ("hanukkah", 2026, D(2026, 12, 5)),
        ("diwali", 2025, D(2025, 10, 20)),
        ("diwali", 2026, D(2026, 11, 8)),
        ("eid_al_fitr", 2025, D(2025, 3, 30)),  # Umm al-Qura; many countries observed 03-31
        ("eid_al_fitr", 2026, D(2026, 3, 20)),
        ("lunar_new_year", 2025, D(2025, 1, 29)),
        ("lunar_new_year", 2026, D(2026, 2, 17)),
    ],
)
def test_known_lunar_dates(code: str, year: int, expected: datetime.date) -> None:
    assert holiday_date(code, year) == expected
    assert holiday_date(code, year, "GB") == expected


@given(st.integers(min_value=1950, max_value=2100))
def test_hanukkah_falls_late_november_to_late_december(year: int) -> None:
    day = holiday_date("hanukkah", year)
    assert day is not None
    assert D(year, 11, 27) <= day <= D(year, 12, 27)


@given(st.integers(min_value=2001, max_value=2035))
def test_diwali_falls_mid_october_to_mid_november(year: int) -> None:
    day = holiday_date("diwali", year)
    assert day is not None
    assert D(year, 10, 15) <= day <= D(year, 11, 16)


@given(st.integers(min_value=1926, max_value=2100))
def test_eid_al_fitr_is_in_the_year(year: int) -> None:
    day = holiday_date("eid_al_fitr", year)
    assert day is not None
    assert day.year == year


@given(st.integers(min_value=1901, max_value=2100))
def test_lunar_new_year_falls_21_january_to_20_february(year: int) -> None:
    day = holiday_date("lunar_new_year", year)
    assert day is not None
    assert D(year, 1, 21) <= day <= D(year, 2, 20)


def test_eid_al_fitr_twice_in_one_year_takes_the_first() -> None:
    assert holiday_date("eid_al_fitr", 2033) == D(2033, 1, 2)


@pytest.mark.parametrize(
    ("code", "year"),
    [("hanukkah", 2101), ("diwali", 2000), ("diwali", 2036), ("lunar_new_year", 2101)],
)
def test_lunar_dates_outside_the_package_range_are_none(code: str, year: int) -> None:
    assert holiday_date(code, year) is None


@pytest.mark.parametrize("year", [2020, 2024, 2025, 2026, 2030])
def test_hanukkah_agrees_with_israel_school_calendar(year: int) -> None:
    israel = holidays.country_holidays("IL", years=year, categories="school", language="en_US")
    days = set(israel.get_named("Hanukkah", lookup="exact"))
    first = holiday_date("hanukkah", year)
    assert first in days
    assert first - datetime.timedelta(days=1) not in days


@pytest.mark.parametrize("year", [2015, 2020, 2025, 2026, 2030, 2035])
def test_diwali_agrees_with_india(year: int) -> None:
    india = holidays.country_holidays("IN", years=year, language="en_US")
    assert holiday_date("diwali", year) in india.get_named("Diwali", lookup="exact")


# --- holidays-package codes -------------------------------------------------------------


def test_package_codes() -> None:
    assert holiday_date("holidays:US:Independence Day", 2026) == D(2026, 7, 4)
    assert holiday_date("holidays:DE:Tag der Deutschen Einheit", 2026) == D(2026, 10, 3)
    assert holiday_date("holidays:DE:Tag der Deutschen Einheit", 2027, "US") == D(2027, 10, 3)


def test_package_code_absent_that_year_is_none() -> None:
    # German Unity Day exists since 1990.
    assert holiday_date("holidays:DE:Tag der Deutschen Einheit", 1985) is None
    assert holiday_date("holidays:US:No Such Day", 2026) is None


def test_package_code_takes_the_first_date_of_a_repeated_name() -> None:
    # Turkey's Eid al-Fitr lasts three days, each listed under the same name.
    tr = holidays.country_holidays("TR", years=2026, language="tr")
    name = tr.get(D(2026, 3, 20))
    assert name is not None
    assert len(tr.get_named(name, lookup="exact")) > 1
    assert holiday_date(f"holidays:TR:{name}", 2026) == D(2026, 3, 20)


def test_package_names_do_not_depend_on_the_environment_locale(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LANGUAGE", "en_US")
    occasions._package_year.cache_clear()
    occasions._holiday_date.cache_clear()
    try:
        assert holiday_date("holidays:DE:Tag der Deutschen Einheit", 2028) == D(2028, 10, 3)
        assert "holidays:DE:German Unity Day" not in dict(available_holidays("DE", 2028))
    finally:
        occasions._package_year.cache_clear()
        occasions._holiday_date.cache_clear()


def test_estimated_label_is_not_part_of_codes() -> None:
    choices = available_holidays("SG", 2030)
    assert not [code for code, _name in choices if "estimated" in code]
    assert holiday_date("holidays:SG:Chinese New Year", 2030) is not None
    # "(observed, estimated)" becomes "(observed)".
    assert "holidays:SG:Chinese New Year (observed)" in dict(choices)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "Christmas",
        "birthday",
        "holidays",
        "holidays:US",
        "holidays:US:",
        "holidays::Independence Day",
        "holiday:US:Independence Day",
        "holidays:XX:Independence Day",
        "holidays:us:Independence Day",
    ],
)
def test_unknown_codes_raise(code: str) -> None:
    with pytest.raises(UnknownHoliday, match="is not a holiday code; pick one from the list"):
        holiday_date(code, 2026)
    assert issubclass(UnknownHoliday, ValueError)


# --- names, choices and validation ------------------------------------------------------


def test_holiday_name() -> None:
    assert holiday_name("christmas") == "Christmas"
    assert holiday_name("lunar_new_year") == "Lunar New Year"
    assert holiday_name("holidays:US:Independence Day") == "Independence Day"
    assert holiday_name("holidays:FR:Fête: de test") == "Fête: de test"
    with pytest.raises(UnknownHoliday):
        holiday_name("nope")


def test_available_holidays_gb() -> None:
    choices = available_holidays("GB", 2026)
    assert choices[: len(BUILT_IN)] == list(BUILT_IN.items())
    package = choices[len(BUILT_IN) :]
    assert package
    assert all(code.startswith("holidays:GB:") for code, _name in package)
    assert ("holidays:GB:Boxing Day", "Boxing Day") in package
    codes = [code for code, _name in choices]
    assert len(codes) == len(set(codes))
    dates = [holiday_date(code, 2026) for code, _name in package]
    assert dates == sorted(d for d in dates if d is not None)
    for code, name in package:
        assert holiday_name(code) == name
        assert check_holiday_code(code) is None


def test_available_holidays_normalises_country_and_rejects_unknown() -> None:
    assert available_holidays(" gb ", 2026) == available_holidays("GB", 2026)
    with pytest.raises(ValueError, match="XX"):
        available_holidays("XX", 2026)


def test_check_holiday_code() -> None:
    for code in BUILT_IN:
        assert check_holiday_code(code) is None
    assert check_holiday_code("holidays:US:Independence Day") is None
    assert check_holiday_code("holidays:DE:Tag der Deutschen Einheit") is None
    for bad in ("easter_monday", "holidays:XX:Foo", "holidays:US:Foo", "holidays:DE:Christmas"):
        message = check_holiday_code(bad)
        assert message is not None
        assert "is not a holiday code; pick one from the list" in message
        assert repr(bad) in message


# --- generic helpers --------------------------------------------------------------------


@given(
    YEARS,
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=0, max_value=6),
    st.sampled_from([1, 2, 3, 4, 5, -1]),
)
def test_nth_weekday_matches_brute_force(year: int, month: int, weekday: int, n: int) -> None:
    matching = [d for d in month_days(year, month) if d.weekday() == weekday]
    expected = matching[-1] if n == -1 else (matching[n - 1] if n <= len(matching) else None)
    result = nth_weekday(year, month, weekday, n)
    assert result == expected
    if result is not None:
        assert (result.year, result.month, result.weekday()) == (year, month, weekday)


def test_nth_weekday_examples() -> None:
    assert nth_weekday(2026, 11, 3, 4) == D(2026, 11, 26)
    assert nth_weekday(2026, 5, 0, -1) == D(2026, 5, 25)  # Memorial Day
    assert nth_weekday(2026, 2, 0, 5) is None  # February 2026 has four Mondays
    assert nth_weekday(2026, 3, 0, 5) == D(2026, 3, 30)


@pytest.mark.parametrize(
    ("month", "weekday", "n"), [(1, 0, 0), (1, 0, 6), (1, 0, -2), (1, 7, 1), (1, -1, 1), (13, 0, 1)]
)
def test_nth_weekday_rejects_bad_arguments(month: int, weekday: int, n: int) -> None:
    with pytest.raises(ValueError):
        nth_weekday(2026, month, weekday, n)


@given(YEARS)
def test_fixed_date_29_february(year: int) -> None:
    expected = D(year, 2, 29) if stdlib_calendar.isleap(year) else D(year, 2, 28)
    assert fixed_date(2, 29, year) == expected
    with pytest.raises(ValueError):
        fixed_date(2, 30, year)


@pytest.mark.parametrize(("month", "day"), [(2, 30), (4, 31), (13, 1), (0, 1), (1, 0), (1, 32)])
def test_fixed_date_rejects_impossible_dates(month: int, day: int) -> None:
    with pytest.raises(ValueError):
        fixed_date(month, day, 2024)


def test_fixed_date_examples() -> None:
    assert fixed_date(7, 14, 2026) == D(2026, 7, 14)
    assert fixed_date(12, 31, 2027) == D(2027, 12, 31)


def test_occurrences_across_the_year_boundary() -> None:
    new_year = partial(holiday_date, "new_year")
    christmas = partial(holiday_date, "christmas")
    assert occurrences(new_year, D(2026, 12, 1), D(2027, 1, 15)) == [D(2027, 1, 1)]
    assert occurrences(christmas, D(2026, 12, 1), D(2027, 1, 15)) == [D(2026, 12, 25)]
    assert occurrences(christmas, D(2026, 1, 1), D(2028, 12, 31)) == [
        D(2026, 12, 25),
        D(2027, 12, 25),
        D(2028, 12, 25),
    ]


def test_occurrences_bounds_are_inclusive_and_none_is_skipped() -> None:
    christmas = partial(holiday_date, "christmas")
    assert occurrences(christmas, D(2026, 12, 25), D(2026, 12, 25)) == [D(2026, 12, 25)]
    assert occurrences(christmas, D(2026, 12, 26), D(2027, 12, 24)) == []
    assert occurrences(christmas, D(2027, 1, 1), D(2026, 1, 1)) == []
    diwali = partial(holiday_date, "diwali")
    assert occurrences(diwali, D(2035, 1, 1), D(2037, 12, 31)) == [D(2035, 10, 30)]


@given(
    st.dates(min_value=D(1950, 1, 1), max_value=D(2150, 12, 31)),
    st.integers(min_value=0, max_value=1500),
)
def test_occurrences_match_a_daily_scan(start: datetime.date, length: int) -> None:
    end = min(start + datetime.timedelta(days=length), D(2150, 12, 31))
    scan = [
        start + datetime.timedelta(days=i)
        for i in range((end - start).days + 1)
        if (start + datetime.timedelta(days=i)).timetuple()[1:3] == (12, 25)
    ]
    assert occurrences(partial(holiday_date, "christmas"), start, end) == scan


def test_cached_lookups_are_fast() -> None:
    codes = ["eid_al_fitr", "hanukkah", "lunar_new_year", "holidays:DE:Tag der Deutschen Einheit"]
    for code in codes:
        holiday_date(code, 2026)
    calls = 20_000
    started = time.perf_counter()
    for i in range(calls):
        holiday_date(codes[i % len(codes)], 2026)
    per_call = (time.perf_counter() - started) / calls
    assert per_call < 20e-6
