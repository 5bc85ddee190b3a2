"""Single values: dates in the forms files write them, countries by name, e-mails checked once
per domain giving exactly email-validator's verdict."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from extramile.book.contact import normalise_email, normalise_phone
from extramile.imports.values import (
    BadValue,
    EmailChecker,
    normalise_phone_fast,
    parse_country,
    parse_month_day,
)


@pytest.mark.parametrize(
    ("text", "country", "expected"),
    [
        ("--0415", "", (4, 15, None)),
        ("--04-15", "", (4, 15, None)),
        ("19800415", "", (4, 15, 1980)),
        ("1980-04-15", "", (4, 15, 1980)),
        ("1980-04-15T00:00:00Z", "", (4, 15, 1980)),
        ("1604-04-15", "", (4, 15, None)),  # Apple's "no year"
        ("4/15/1980", "US", (4, 15, 1980)),
        ("05/04/1980", "US", (5, 4, 1980)),
        ("05/04/1980", "GB", (4, 5, 1980)),
        ("15.04.1980", "US", (4, 15, 1980)),
        ("15.04.", "DE", (4, 15, None)),
        ("April 15, 1980", "", (4, 15, 1980)),
        ("15 April", "", (4, 15, None)),
        ("--0229", "", (2, 29, None)),
        ("0/0/00", "US", None),
        ("", "", None),
    ],
)
def test_dates(text, country, expected):
    assert parse_month_day(text, country) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("--0230", "February has no day 30."),
        ("1981-02-29", "February 1981 has no day 29."),
        ("31/04/1990", "April 1990 has no day 31."),
        ("--1301", "13 is not a month (1–12)."),
        ("soon", "is not a date we can read"),
        ("12345", "is not a date we can read"),
    ],
)
def test_impossible_dates(text, message):
    with pytest.raises(BadValue, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_month_day(text, "US")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("DE", "DE"),
        ("de", "DE"),
        ("Germany", "DE"),
        ("Deutschland", "DE"),
        ("USA", "US"),
        ("United States", "US"),
        ("United Kingdom", "GB"),
        ("", ""),
    ],
)
def test_countries(text, code):
    assert parse_country(text) == code


def test_unknown_country():
    with pytest.raises(BadValue, match="not a country we know"):
        parse_country("Narnia")


ADDRESSES = [
    "anna@example.com",
    "Anna.Smith+news@Example.COM",
    "bob@example.com",
    "a..b@example.com",
    ".a@example.com",
    "a.@example.com",
    "a b@example.com",
    "x" * 65 + "@example.com",
    "anna@exämple.com",
    "jürgen@example.com",
    "a@localhost",
    "a@example",
    "@example.com",
    "anna@example.com.",
    '"quoted"@example.com',
]


def verdict(check, address):
    try:
        return check(address)
    except ValidationError as error:
        return ("error", error.messages[0])


def test_the_per_domain_shortcut_agrees_with_email_validator():
    checker = EmailChecker()
    for address in ["seed@example.com", "seed@exämple.com", *ADDRESSES]:
        assert verdict(checker, address) == verdict(normalise_email, address), address


PHONES = [
    ("(202) 555-0143", "US"),
    ("202-456-1111", "US"),
    ("(204) 555-0100", "US"),  # Canada, written in a US book
    ("+44 20 7946 0958", "US"),
    ("020 7946 0958", "GB"),
    ("030 1234567", "DE"),
    ("+49 151 23456789", "DE"),
    ("12", "US"),
    ("555-0143", "US"),
    ("not a phone", "US"),
    ("+1 800 FLOWERS", "US"),
    ("(202) 555-0143", ""),
    ("(202) 555-0143", "us"),
    ("(202) 555-0143", "ca"),
]


@pytest.mark.parametrize(("raw", "region"), PHONES)
def test_the_phone_shortcut_agrees_with_the_book(raw, region):
    fast = verdict(lambda text: normalise_phone_fast(text, region), raw)
    assert fast == verdict(lambda text: normalise_phone(text, region), raw)


def test_the_north_american_shortcut_agrees_with_the_book_in_every_plus_one_region():
    """Ten digits written the usual way skip phonenumbers' parsing in a +1 region: the verdict
    (E.164 or the error) is the book's, for every +1 region, every area code and each way of
    writing the groups, valid numbers and not."""
    import random

    import phonenumbers

    rng = random.Random(20)
    regions = phonenumbers.region_codes_for_country_code(1)
    assert len(regions) == 25
    shapes = [
        "({a}) {b}-{c}",
        "{a}-{b}-{c}",
        "{a}.{b}.{c}",
        "{a} {b} {c}",
        "{a}{b}{c}",
        "({a}){b}-{c}",
        "({a} {b}-{c}",
        "{a}) {b}-{c}",
        " {a}-{b}-{c} ",
    ]
    for region in regions:
        for area in range(200, 1000, 3):
            a = str(area)
            b = f"{rng.randrange(1000):03d}"
            c = f"{rng.randrange(10_000):04d}"
            raw = rng.choice(shapes).format(a=a, b=b, c=c)
            for written in (raw, raw.lower().replace("(", "[")):
                fast = verdict(lambda text, r=region: normalise_phone_fast(text, r), written)
                assert fast == verdict(lambda text, r=region: normalise_phone(text, r), written), (
                    written,
                    region,
                )
