"""Matching a sender to a customer: phones in any format, e-mails in any case, ties."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from extramile.book.models import EmailAddress, PhoneNumber
from extramile.inbox.matching import find_customer, normalise_sender
from tests.conftest import make_customer
from tests.inbox.helpers import log

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna_phone(customer):
    return PhoneNumber.objects.create(customer=customer, number="+12125550100")


@pytest.mark.parametrize(
    "written", ["(212) 555-0100", "212.555.0100", "+1 212 555 0100", "1-212-555-0100", "2125550100"]
)
def test_a_phone_number_matches_in_any_format(written, anna_phone, customer):
    result = log("voicemail", written)
    assert result.message.customer == customer
    assert result.message.owner == customer.owner
    assert result.message.from_address == written.strip()  # kept as given


def test_an_email_matches_whatever_its_case(customer):
    EmailAddress.objects.create(customer=customer, address="Anna.Smith@example.com")
    result = log("email", "ANNA.SMITH@Example.COM")
    assert result.message.customer == customer


def test_a_stranger_is_left_unmatched_and_unassigned(company):
    result = log("text", "+1 212 555 0199")
    assert result.message.customer is None
    assert result.message.owner is None


def test_a_stranger_logged_by_a_rep_is_theirs(owner):
    result = log("call", "+1 212 555 0199", owner=owner)
    assert result.message.customer is None
    assert result.message.owner == owner


def test_a_shared_number_prefers_the_loggers_own_customer(owner, colleague, customer):
    carl = make_customer(colleague, "Carl", "Smith")
    for person in (customer, carl):
        PhoneNumber.objects.create(customer=person, number="+12125550100")
    assert log("call", "2125550100", owner=colleague).message.customer == carl
    assert log("call", "2125550100", owner=owner).message.customer == customer


def test_a_shared_number_nobody_owns_stays_unmatched_and_says_so(owner, colleague, customer):
    carl = make_customer(colleague, "Carl", "Smith")
    for person in (customer, carl):
        PhoneNumber.objects.create(customer=person, number="+12125550100")
    result = log("call", "2125550100")
    assert result.message.customer is None
    assert result.note == "2 customers share this address: match it by hand."


def test_a_shared_number_within_one_book_goes_to_that_rep(owner, customer):
    ben = make_customer(owner, "Ben", "Smith")
    for person in (customer, ben):
        PhoneNumber.objects.create(customer=person, number="+12125550100")
    result = log("call", "2125550100")
    assert result.message.customer is None
    assert result.message.owner == owner


def test_a_manager_logging_prefers_the_customer_they_may_see(manager, customer, outsider_customer):
    for person in (customer, outsider_customer):
        PhoneNumber.objects.create(customer=person, number="+12125550100")
    assert find_customer("+12125550100", manager).customer == customer


@pytest.mark.parametrize(
    ("channel", "sender", "says"),
    [
        ("call", "not a number", "is not a phone number"),
        ("call", "12", "is not a"),
        ("text", "anna@example.com", "A text comes from a phone number"),
        ("email", "+1 212 555 0100", "An e-mail comes from an e-mail address"),
        ("email", "anna@", "is not a valid e-mail address"),
        ("fax", "+1 212 555 0100", "is not a channel"),
        ("call", "  ", "Say who it is from"),
    ],
)
def test_a_bad_sender_is_refused_with_a_clear_message(channel, sender, says, company):
    with pytest.raises(ValidationError) as refused:
        normalise_sender(channel, sender, "US")
    assert says in " ".join(refused.value.messages)


def test_a_web_form_may_come_from_either(company):
    assert normalise_sender("web_form", "Anna@Example.com", "US") == "anna@example.com"
    assert normalise_sender("web_form", "(212) 555-0100", "US") == "+12125550100"


def test_many_messages_at_once_match_phones_and_emails(customer, anna_phone):
    from extramile.inbox.bulk import InboundRow, log_many
    from tests.conftest import NOW

    EmailAddress.objects.create(customer=customer, address="anna@example.com")
    rows = [
        InboundRow("call", "212.555.0100", NOW, "About the service"),
        InboundRow("email", "Anna@Example.com", NOW, "Quote please"),
        InboundRow("email", "stranger@example.com", NOW, "Hello"),
    ]
    messages = log_many(rows, NOW)
    assert [m.customer_id for m in messages] == [customer.pk, customer.pk, None]
