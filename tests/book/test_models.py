"""The customer book: validation with clear messages, relationships read from both sides, families,
referral rewards that become owed only when the referred sale closes, promises."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from extramile.book import dates, services
from extramile.book.contact import normalise_email, normalise_phone
from extramile.book.family import generation_count, label_for, relatives
from extramile.book.models import (
    Customer,
    Household,
    KeyDate,
    Referral,
    Relationship,
    RewardStatus,
)
from tests.conftest import make_customer

pytestmark = pytest.mark.django_db


# --- dates -----------------------------------------------------------------------------------


def test_29_february_is_valid_without_a_year_and_in_a_leap_year():
    assert dates.check_month_day(2, 29) is None
    assert dates.check_month_day(2, 29, 1988) is None


def test_29_february_in_a_common_year_is_refused_with_a_clear_message():
    assert dates.check_month_day(2, 29, 1987) == "February 1987 has no day 29."


def test_30_february_is_never_valid():
    assert dates.check_month_day(2, 30) == "February has no day 30."


def test_month_out_of_range():
    assert "not a month" in (dates.check_month_day(13, 1) or "")


def test_29_february_is_celebrated_on_28_february_in_common_years():
    assert dates.occurs_on(2, 29, 2027) == dt.date(2027, 2, 28)
    assert dates.occurs_on(2, 29, 2028) == dt.date(2028, 2, 29)
    assert dates.month_days_on(dt.date(2027, 2, 28)) == [(2, 28), (2, 29)]
    assert dates.month_days_on(dt.date(2028, 2, 28)) == [(2, 28)]
    assert dates.month_days_on(dt.date(2027, 3, 1)) == [(3, 1)]


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_every_valid_month_day_is_celebrated_exactly_once_a_year(day):
    """Property: for any real date, the celebration falls in the same year, on exactly one day."""
    year = day.year
    celebrated = dates.occurs_on(day.month, day.day, year)
    assert celebrated.year == year
    assert (day.month, day.day) in dates.month_days_on(celebrated)


# --- customers -------------------------------------------------------------------------------


def test_customer_needs_a_name(owner):
    with pytest.raises(ValidationError, match="first name, a last name or a company"):
        Customer(owner=owner).full_clean()


def test_customer_birthday_30_february_is_refused(owner):
    customer = Customer(owner=owner, first_name="Ann", birth_month=2, birth_day=30)
    with pytest.raises(ValidationError) as error:
        customer.full_clean()
    assert error.value.message_dict["birth_day"] == ["February has no day 30."]


def test_customer_birthday_29_february_without_a_year_is_fine(owner):
    Customer(owner=owner, first_name="Leap", birth_month=2, birth_day=29).full_clean()


def test_database_refuses_an_impossible_month_even_without_validation(owner):
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(owner=owner, first_name="X", birth_month=14, birth_day=1)


def test_bad_time_zone_and_country_get_clear_messages(owner):
    customer = Customer(owner=owner, first_name="T", time_zone="Mars/Olympus", country="XX")
    with pytest.raises(ValidationError) as error:
        customer.full_clean()
    assert "is not a time zone" in error.value.message_dict["time_zone"][0]
    assert "two-letter country code" in error.value.message_dict["country"][0]


def test_html_in_a_name_is_stored_as_written(owner):
    customer = make_customer(owner, "<script>alert(1)</script>", "O'Brien")
    customer.full_clean()
    assert Customer.objects.get(pk=customer.pk).first_name == "<script>alert(1)</script>"


def test_mailing_address_prefers_the_household(owner):
    home = Household.objects.create(
        name="The Smiths", street="1 Elm St", city="Dover", country="US"
    )
    customer = make_customer(owner, "Anna", "Smith", household=home, street="9 Old Rd", city="X")
    assert customer.mailing_address() == home
    loner = make_customer(owner, "Lou", "Nobody")
    assert loner.mailing_address() is None


# --- contact details ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("(415) 555-2671", "US", "+14155552671"),
        ("415.555.2671", "US", "+14155552671"),
        ("+44 20 7946 0018", "US", "+442079460018"),
        ("020 7946 0018", "GB", "+442079460018"),
        ("030 901820", "DE", "+4930901820"),
    ],
)
def test_phones_are_normalised_to_e164_with_the_company_country_as_default(raw, region, e164):
    assert normalise_phone(raw, region) == e164


@pytest.mark.parametrize("raw", ["12", "not a phone", "+1 555 0100"])
def test_bad_phones_get_a_clear_message(raw):
    with pytest.raises(ValidationError, match="phone number"):
        normalise_phone(raw, "US")


def test_emails_are_checked_and_normalised():
    assert normalise_email("  Anna.Smith@Example.COM ") == "Anna.Smith@example.com"
    for bad in ["anna", "anna@", "anna@@example.com", "a b@example.com"]:
        with pytest.raises(ValidationError, match="not a valid e-mail address"):
            normalise_email(bad)


def test_add_phone_and_email_refuse_duplicates(customer):
    services.add_phone(customer, "(415) 555-2671", "US", "mobile")
    with pytest.raises(ValidationError, match="already has the number"):
        services.add_phone(customer, "+1 415 555 2671", "US")
    services.add_email(customer, "anna@example.com")
    with pytest.raises(ValidationError, match="already has the address"):
        services.add_email(customer, "ANNA@example.com")
    assert customer.phones.get().is_primary
    assert customer.emails.count() == 1


def test_search_by_name_email_and_phone_in_another_format(owner, customer):
    services.add_phone(customer, "415-555-2671", "US")
    services.add_email(customer, "anna.smith@example.com")
    make_customer(owner, "Bob", "Stone")
    book = Customer.objects.all()
    assert list(services.search_customers(book, "anna sm", "US")) == [customer]
    assert list(services.search_customers(book, "SMITH", "US")) == [customer]
    assert list(services.search_customers(book, "anna.smith@", "US")) == [customer]
    assert list(services.search_customers(book, "+1 (415) 555 2671", "US")) == [customer]
    assert list(services.search_customers(book, "5552671", "US")) == [customer]
    assert services.search_customers(book, "zebra", "US").count() == 0


def test_a_name_search_matches_the_start_of_any_name_field_whatever_the_case(owner):
    """The prefix search (read through the lower(name) indexes) matches what ``istartswith`` did:
    any word at the start of a first, last, preferred or company name; wildcards are plain
    characters; the next letter up is not matched (the range's upper end)."""
    zoe = make_customer(owner, "Zoë", "O'Brien", preferred_name="Zed", company_name="Acme_1 %Co")
    chi = make_customer(owner, "Chi", "Ng")
    make_customer(owner, "Cia", "Ng")  # "ci" is the upper end of the range for "ch"
    book = Customer.objects.all()

    def found(text: str) -> set[int]:
        return set(services.search_customers(book, text, "US").values_list("pk", flat=True))

    assert found("zo") == {zoe.pk}
    assert found("O'B") == {zoe.pk}
    assert found("zED") == {zoe.pk}
    assert found("acme_") == {zoe.pk}
    assert found("acme%") == set()  # a wildcard is a character, not "anything"
    assert found("%co") == set()  # "%Co" starts the company's second word, not its name
    assert found("ch") == {chi.pk}
    assert found("ng ch") == {chi.pk}
    assert found("CHI") == {chi.pk}
    assert found("chix") == set()


# --- relationships and families ---------------------------------------------------------------


def test_relationship_reads_from_both_sides(owner):
    mother = make_customer(owner, "Mary", "Lee")
    son = make_customer(owner, "Sam", "Lee")
    services.relate(son, "child", mother)  # stored as: mother is the parent of son
    row = Relationship.objects.get()
    assert (row.from_customer, row.kind, row.to_customer) == (mother, "parent", son)
    assert [(r.customer, r.label) for r in relatives(son)] == [(mother, "parent")]
    assert [(r.customer, r.label) for r in relatives(mother)] == [(son, "child")]


def test_relationship_with_oneself_or_twice_is_refused(owner):
    a = make_customer(owner, "A", "A")
    b = make_customer(owner, "B", "B")
    with pytest.raises(ValidationError, match="themselves"):
        services.relate(a, "sibling", a)
    services.relate(a, "sibling", b)
    with pytest.raises(ValidationError, match="already related"):
        services.relate(b, "sibling", a)


def test_three_generations_are_visible(owner, outsider):
    grandpa = make_customer(owner, "George", "Hale")
    grandma = make_customer(owner, "Grace", "Hale")
    dad = make_customer(owner, "David", "Hale")
    kid = make_customer(owner, "Kim", "Hale")
    colleague = make_customer(owner, "Cora", "Work")
    hidden = make_customer(outsider, "Hidden", "Hale")
    services.relate(grandpa, "spouse", grandma)
    services.relate(grandpa, "parent", dad)
    services.relate(dad, "parent", kid)
    services.relate(kid, "colleague", colleague)
    services.relate(hidden, "sibling", kid)
    family = {r.customer.first_name: (r.label, r.generation) for r in relatives(kid)}
    assert family == {
        "George": ("grandparent", -2),
        "Grace": ("grandparent", -2),
        "David": ("parent", -1),
        "Cora": ("colleague", 0),
        "Hidden": ("sibling", 0),
    }
    assert label_for(("parent", "sibling", "child")) == "aunt or uncle's child"
    assert generation_count(kid) == 3
    assert generation_count(grandma) == 3
    # Limited to what a user may see:
    visible = Customer.objects.filter(owner=owner)
    assert "Hidden" not in {r.customer.first_name for r in relatives(kid, within=visible)}


# --- key dates -------------------------------------------------------------------------------


def test_key_date_validation(customer):
    with pytest.raises(ValidationError) as error:
        KeyDate(customer=customer, kind="wedding", month=2, day=30).full_clean()
    assert error.value.message_dict["day"] == ["February has no day 30."]
    with pytest.raises(ValidationError) as error:
        KeyDate(customer=customer, kind="custom", month=5, day=1).full_clean()
    assert "Say what this date is" in error.value.message_dict["label"][0]
    KeyDate(customer=customer, kind="wedding", month=2, day=29, year=2004).full_clean()


# --- sales and referrals -----------------------------------------------------------------------


def test_referral_reward_becomes_owed_when_the_referred_sale_closes_then_paid(owner):
    birddog = make_customer(owner, "Bert", "Dog")
    friend = make_customer(owner, "Fran", "Friend")
    referral = Referral.objects.create(
        referrer=birddog,
        referred=friend,
        date=dt.date(2026, 10, 1),
        reward_amount=Decimal("50"),
        reward_status=RewardStatus.PENDING,
    )
    with pytest.raises(ValidationError, match="Only an owed reward"):
        services.pay_reward(referral, dt.date(2026, 10, 2))
    sale = services.record_sale(friend, dt.date(2026, 11, 2), "Sedan", Decimal("21000"), owner)
    referral.refresh_from_db()
    assert (referral.sale, referral.reward_status) == (sale, RewardStatus.OWED)
    services.pay_reward(referral, dt.date(2026, 11, 20))
    referral.refresh_from_db()
    assert (referral.reward_status, referral.reward_paid_on) == ("paid", dt.date(2026, 11, 20))
    with pytest.raises(ValidationError):
        services.pay_reward(referral, dt.date(2026, 11, 21))


def test_referral_rules(owner):
    a = make_customer(owner, "A", "A")
    b = make_customer(owner, "B", "B")
    with pytest.raises(ValidationError, match="refer themselves"):
        Referral(referrer=a, referred=a, date=dt.date(2026, 1, 1)).full_clean()
    with pytest.raises(ValidationError) as error:
        Referral(
            referrer=a, referred=b, date=dt.date(2026, 1, 1), reward_status=RewardStatus.OWED
        ).full_clean()
    assert "only once the referred sale has closed" in str(error.value)


def test_negative_sale_amount_is_refused(customer, owner):
    with pytest.raises(ValidationError):
        services.record_sale(customer, dt.date(2026, 1, 1), "Refund?", Decimal("-5"), owner)
    assert customer.sales.count() == 0


def test_phone_and_email_rows_normalise_on_validation(company, customer):
    from extramile.book.models import EmailAddress, PhoneNumber

    phone = PhoneNumber(customer=customer, number="(415) 555-2671")
    phone.full_clean()
    assert phone.number == "+14155552671"
    email = EmailAddress(customer=customer, address=" Anna@EXAMPLE.com")
    email.full_clean()
    assert email.address == "Anna@example.com"
    with pytest.raises(ValidationError):
        PhoneNumber(customer=customer, number="555").full_clean()
