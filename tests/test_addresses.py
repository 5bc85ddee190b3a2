"""Envelope lines per the destination country's postal convention."""

import phonenumbers
import pytest

from extramile.addresses import COUNTRY_NAMES, country_name, format_address


def test_us_city_state_zip_on_one_line() -> None:
    lines = format_address(
        "Anna Smith", "42 Elm Street", "Springfield", "il", "62704", "US", home_country="US"
    )
    assert lines == ["Anna Smith", "42 Elm Street", "Springfield IL 62704"]


def test_canada_two_spaces_before_the_normalised_postal_code() -> None:
    lines = format_address(
        "Ben Roy", "100 King St W", "Toronto", "ON", "m5v2t6", "CA", home_country="CA"
    )
    assert lines == ["Ben Roy", "100 King St W", "Toronto ON  M5V 2T6"]


def test_australia_locality_in_capitals() -> None:
    lines = format_address(
        "Chloe Lee", "1 George St", "Sydney", "nsw", "2000", "AU", home_country="AU"
    )
    assert lines == ["Chloe Lee", "1 George St", "SYDNEY NSW 2000"]


def test_uk_post_town_and_postcode_on_their_own_lines() -> None:
    lines = format_address(
        "Dan Evans",
        "10 Downing Street",
        "London",
        "Greater London",
        "sw1a2aa",
        "gb",
        home_country="GB",
    )
    assert lines == ["Dan Evans", "10 Downing Street", "LONDON", "SW1A 2AA"]


def test_germany_postcode_before_city_without_state() -> None:
    lines = format_address(
        "Jürgen Schröder",
        "Unter den Linden 5",
        "Berlin",
        "Berlin",
        "10115",
        "DE",
        home_country="DE",
    )
    assert lines == ["Jürgen Schröder", "Unter den Linden 5", "10115 Berlin"]


def test_france_postcode_before_city_in_capitals() -> None:
    lines = format_address(
        "Renée Dubois",
        "12 rue du Faubourg Saint-Honoré",
        "Paris",
        "",
        "75008",
        "FR",
        home_country="FR",
    )
    assert lines == ["Renée Dubois", "12 rue du Faubourg Saint-Honoré", "75008 PARIS"]


def test_international_mail_ends_with_the_country_in_capitals() -> None:
    to_germany = format_address(
        "Jürgen Schröder", "Hauptstraße 1", "Berlin", "", "10115", "DE", home_country="US"
    )
    assert to_germany[-2:] == ["10115 Berlin", "GERMANY"]
    to_uk = format_address("Dan", "1 High St", "Leeds", "", "LS1 1AA", "GB", home_country="us")
    assert to_uk[-1] == "UNITED KINGDOM"
    to_us = format_address("Ann", "1 Main St", "Boston", "MA", "02108", "US", home_country="DE")
    assert to_us[-2:] == ["Boston MA 02108", "UNITED STATES"]


def test_no_country_line_for_home_mail_and_blank_country_means_home() -> None:
    lines = format_address("Ann", "1 Main St", "Boston", "MA", "02108", "", home_country="US")
    assert lines == ["Ann", "1 Main St", "Boston MA 02108"]
    lines = format_address("Ann", "1 Main St", "Boston", "MA", "02108", " us ", home_country="US")
    assert lines[-1] == "Boston MA 02108"


def test_several_street_lines_and_no_blank_lines() -> None:
    lines = format_address(
        "",
        "Acme Ltd\n\n  Building 4  \r\nFloor 2\n",
        "Springfield",
        "IL",
        "",
        "US",
        home_country="US",
    )
    assert lines == ["Acme Ltd", "Building 4", "Floor 2", "Springfield IL"]
    assert all(line.strip() == line and line for line in lines)


def test_nothing_known_gives_no_lines() -> None:
    assert format_address("", "", "", "", "", "", home_country="US") == []
    assert format_address("", "", "", "", "", "DE", home_country="DE") == []


def test_generic_countries_postcode_first_and_region_on_its_own_line() -> None:
    lines = format_address(
        "Giulia Rossi", "Via Roma 1", "Roma", "RM", "00144", "IT", home_country="IT"
    )
    assert lines == ["Giulia Rossi", "Via Roma 1", "00144 Roma", "RM"]
    lines = format_address("Jan", "Dam 1", "Amsterdam", "NH", "1012 JS", "NL", home_country="NL")
    assert lines == ["Jan", "Dam 1", "1012 JS Amsterdam"]


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("de", "GERMANY"),
        ("UK", "UNITED KINGDOM"),
        ("CI", "COTE D'IVOIRE"),
        ("Atlantis", "ATLANTIS"),
    ],
)
def test_country_names(code: str, name: str) -> None:
    assert country_name(code) == name


def test_every_country_code_the_app_accepts_has_a_name() -> None:
    assert set(phonenumbers.SUPPORTED_REGIONS) <= set(COUNTRY_NAMES)
