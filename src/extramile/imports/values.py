"""Reading single values the many ways files write them: dates with and without a year, country
names, and text that must be stored as text."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

import phonenumbers
from dateutil import parser as date_parser

from extramile import clock
from extramile.book import dates
from extramile.book.contact import normalise_email, normalise_phone

EMPTY_DATES = {"0/0/00", "0/0/0000", "00/00/0000", "0000-00-00", "--", "n/a"}
# Apple writes a birthday without a year as 1604-MM-DD (X-APPLE-OMIT-YEAR=1604).
NO_YEAR_MARKERS = {1604}
MONTH_FIRST = {"US", "CA", "PH", "BZ", "FM", "MH", "PW"}
ISO_TIME = re.compile(r"^\d{4}-?\d{2}-?\d{2}T")
NO_YEAR = re.compile(r"--(\d{2})-?(\d{2})")
ISO_DATE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")
ISO_SHORT = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
NUMERIC_DATE = re.compile(r"(\d{1,2})([./-])(\d{1,2})(?:\2(\d{4}|\d{2}))?\.?")
LETTER = re.compile(r"[A-Za-z]")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


ATEXT = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


class EmailChecker:
    """``book.contact.normalise_email`` (email-validator) with the domain's verdict remembered:
    an address whose domain has been checked once and whose local part is a plain ASCII
    dot-atom (``anna.smith+news``) needs no second look at the domain. Anything else, and the
    first address of every domain, goes through email-validator whole. One per import."""

    def __init__(self) -> None:
        self.domains: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        local, at, domain = text.strip().rpartition("@")
        known = self.domains.get(domain)
        if known and at and len(local) <= 64 and len(text) <= 254 and ATEXT.fullmatch(local):
            return f"{local}@{known}"
        address = normalise_email(text)
        if domain.isascii():
            self.domains[domain] = address.rpartition("@")[2]
        return address


# A North American number as people write it in their own country: ten digits, the area code
# first (2-9), perhaps in parentheses, the groups apart by a space, dot or dash.
NANP_WRITTEN = re.compile(r"\(?([2-9][0-9][0-9])\)?[ .-]?([0-9]{3})[ .-]?([0-9]{4})")


@cache
def nanp(region: str) -> bool:
    """Whether ``region`` (upper case) dials +1 (the US, Canada and 23 others)."""
    return phonenumbers.country_code_for_region(region) == 1


def normalise_phone_fast(raw: str, region: str) -> str:
    """``book.contact.normalise_phone``, with shortcuts for the usual cases: a number that is
    valid for the company's (or the row's) own region is E.164 at once, without asking every
    region that shares its country code (the +1 countries are 25). Anything else takes the
    full path, which also words the error.

    In a +1 region, ten digits written the usual way (``NANP_WRITTEN``) are not parsed by
    phonenumbers at all (two thirds of the cost of a number): starting 2-9 they can hold no
    country code, national prefix or local seven-digit form, so phonenumbers would find the
    same national number (tests/imports/test_values.py compares the two over every +1 region);
    its check of the region's number patterns still decides."""
    text = raw.strip()
    code = region.upper()
    if code and nanp(code) and (written := NANP_WRITTEN.fullmatch(text)):
        digits = "".join(written.groups())
        number = phonenumbers.PhoneNumber(country_code=1, national_number=int(digits))
        if phonenumbers.is_valid_number_for_region(number, code):
            return "+1" + digits
        return normalise_phone(raw, region)
    try:
        number = phonenumbers.parse(text, code or None)
    except phonenumbers.NumberParseException:
        return normalise_phone(raw, region)
    if code and phonenumbers.is_valid_number_for_region(number, code):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return normalise_phone(raw, region)


class BadValue(ValueError):
    """A value we cannot use; the message says why, in words for the person who wrote it."""


def clean_text(value: str, multiline: bool = False) -> str:
    """Text as text: control characters (a NUL that PostgreSQL refuses) dropped; a name's line
    breaks become spaces. HTML and formulas are kept as typed: pages escape them and exports
    neutralise them, so nothing is ever run."""
    if not value:
        return value
    if not value.isprintable():
        value = CONTROL.sub("", value)
    if not multiline:
        value = " ".join(value.split())
    return value.strip()


def parse_month_day(text: str, country: str = "") -> tuple[int, int, int | None] | None:
    """``(month, day, year or None)`` from the ways contact files write a date, or None for no
    date. Raises BadValue with the reason for a date that does not exist (30 February).

    vCard: ``--0415``, ``--04-15``, ``19800415``, ``1980-04-15``, ``1980-04-15T00:00:00Z``.
    Spreadsheets: ``4/15/1980`` (month first where the company's country writes it so),
    ``15/04/1980``, ``15.04.1980``, ``15.04.``, ``April 15, 1980``, ``15 April``.
    Outlook's ``0/0/00`` means no date.
    """
    text = text.strip()
    if not text or text.casefold() in EMPTY_DATES:
        return None
    iso = text.split("T")[0] if ISO_TIME.match(text) else text
    month: int | None = None
    day: int | None = None
    year: int | None = None
    if match := NO_YEAR.fullmatch(iso):
        month, day = int(match[1]), int(match[2])
    elif (match := ISO_DATE.fullmatch(iso)) or (match := ISO_SHORT.fullmatch(iso)):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    elif match := NUMERIC_DATE.fullmatch(text):
        first, second = int(match[1]), int(match[3])
        month_first = match[2] == "/" and country.upper() in MONTH_FIRST
        if first > 12 >= second:
            month_first = False
        elif second > 12 >= first:
            month_first = True
        month, day = (first, second) if month_first else (second, first)
        if match[4]:
            year = int(match[4])
            if len(match[4]) == 2:
                year += 1900 if year > clock.now().year % 100 else 2000
    elif LETTER.search(text):
        month, day, year = parse_words(text)
    else:
        raise BadValue(f"“{text}” is not a date we can read; write it as 1980-04-15 or --04-15.")
    if year is not None and (year in NO_YEAR_MARKERS or year == 0):
        year = None
    error = dates.check_month_day(month, day, year)
    if error:
        raise BadValue(error)
    return month, day, year


def parse_words(text: str) -> tuple[int, int, int | None]:
    """“April 15, 1980” or “15 April”: parsed twice with different default years to tell whether
    the text gave one."""
    try:
        one = date_parser.parse(text, default=dt.datetime(2000, 1, 1))  # noqa: DTZ001
        two = date_parser.parse(text, default=dt.datetime(2004, 1, 1))  # noqa: DTZ001
    except (ValueError, OverflowError):
        raise BadValue(f"“{text}” is not a date we can read; write it as 1980-04-15.") from None
    return one.month, one.day, one.year if one.year == two.year else None


@cache
def country_names() -> dict[str, str]:
    """Country names in the languages phonenumbers knows (“Germany”, “Deutschland”) → code."""
    from phonenumbers.geodata.locale import LOCALE_DATA

    names: dict[str, str] = {}
    for code, by_language in LOCALE_DATA.items():
        if len(code) != 2:
            continue
        names[code.casefold()] = code
        for name in by_language.values():
            if not name.startswith("*"):
                names.setdefault(name.casefold(), code)
    names |= {
        "usa": "US",
        "u.s.a.": "US",
        "u.s.": "US",
        "united states of america": "US",
        "america": "US",
        "uk": "GB",
        "u.k.": "GB",
        "great britain": "GB",
        "england": "GB",
        "scotland": "GB",
        "wales": "GB",
        "northern ireland": "GB",
    }
    return names


def parse_country(text: str) -> str:
    """The two-letter code for ``DE``, ``Germany``, ``Deutschland``, ``USA``…"""
    value = " ".join(text.split()).strip()
    if not value:
        return ""
    code = country_names().get(value.casefold())
    if code is None or code not in phonenumbers.SUPPORTED_REGIONS:
        raise BadValue(f"“{value}” is not a country we know; write its two-letter code (DE, US).")
    return code
