"""One-click call outcomes: each closes the call and writes what it means, once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from extramile.agenda.models import Action, ActionStatus
from extramile.agenda.services import complete
from extramile.book.models import Contact, Customer, Fact, Referral
from extramile.outreach import outcomes
from extramile.outreach.models import Call
from tests.conftest import NOW
from tests.outreach.conftest import callable_customer
from tests.outreach.test_rotation import MONDAY, calls, plan_calls


@pytest.fixture
def anna(owner) -> Customer:
    return callable_customer(owner, "Anna Smith", tier="A", days_ago=47)


@pytest.fixture
def call(anna, owner) -> Action:
    plan_calls()
    [action] = calls(owner)
    return action


def contacts(customer) -> list[Contact]:
    return list(Contact.objects.filter(customer=customer))


def test_no_answer_is_not_a_contact_and_comes_back_in_two_working_days(call, anna, owner):
    logged = outcomes.no_answer(call, NOW, owner)
    call.refresh_from_db()
    assert call.status == ActionStatus.DONE
    assert call.outcome == "No answer; trying again Wed 25 Nov"
    assert contacts(anna) == []
    anna.refresh_from_db()
    assert anna.last_contact_at == NOW - dt.timedelta(days=47)
    retry = logged.follow_up
    assert retry.key == f"call:{anna.pk}:2026-11-25"
    assert (retry.kind, retry.due_on, retry.title) == (
        "call",
        dt.date(2026, 11, 25),
        "Call Anna Smith again",
    )
    assert retry.detail.startswith("No answer on Mon 23 Nov. Tier A, last spoke 47 days ago")


def test_no_answer_before_a_holiday_skips_it(owner, anna):
    # Tuesday 24 November 2026 + 2 working days skips Thanksgiving (Thursday 26th): Friday 27th.
    tuesday = MONDAY + dt.timedelta(days=1)
    plan_calls(tuesday, NOW + dt.timedelta(days=1))
    [action] = calls(owner, tuesday)
    logged = outcomes.no_answer(action, NOW + dt.timedelta(days=1), owner)
    assert logged.follow_up.due_on == dt.date(2026, 11, 27)


def test_a_second_miss_puts_the_customer_back_in_the_rotation(call, owner):
    retry = outcomes.no_answer(call, NOW, owner).follow_up
    later = NOW + dt.timedelta(days=2)
    second = outcomes.no_answer(retry, later, owner)
    assert second.follow_up is None
    retry.refresh_from_db()
    assert retry.outcome == "No answer again; back in the rotation"
    assert Action.objects.filter(kind="call").count() == 2


def test_a_retry_counts_toward_its_days_calls(call, owner, company):
    company.calls_per_day = 2
    company.save()
    for n in range(4):
        callable_customer(owner, f"Cus {n}", days_ago=400)
    outcomes.no_answer(call, NOW, owner)
    wednesday = dt.date(2026, 11, 25)
    plan_calls(wednesday, NOW + dt.timedelta(days=2))
    assert len(calls(owner, wednesday)) == 2


def test_all_fine_is_a_contact(call, anna, owner):
    outcomes.all_fine(call, NOW, owner, "Loves the new car")
    [contact] = contacts(anna)
    assert (contact.channel, contact.summary, contact.user, contact.at) == (
        "call",
        "Loves the new car",
        owner,
        NOW,
    )
    anna.refresh_from_db()
    assert anna.last_contact_at == NOW
    call.refresh_from_db()
    assert call.outcome == "All fine: Loves the new car"


def test_a_double_click_logs_one_call(call, anna, owner):
    outcomes.all_fine(call, NOW, owner)
    with pytest.raises(ValidationError, match="already done"):
        outcomes.all_fine(call, NOW, owner)
    with pytest.raises(ValidationError, match="already done"):
        outcomes.no_answer(call, NOW, owner)
    assert Call.objects.count() == 1 and len(contacts(anna)) == 1


def test_a_service_need_opens_a_prefilled_request(call, anna, owner):
    from extramile.service.models import ServiceRequest

    logged = outcomes.service_need(
        call,
        NOW,
        owner,
        subject="Rattle in the back door",
        details="Since the last service",
        priority="high",
    )
    request = ServiceRequest.objects.get(pk=logged.service_request_id)
    assert (request.customer, request.subject, request.details, request.priority) == (
        anna,
        "Rattle in the back door",
        "Since the last service",
        "high",
    )
    assert request.status in ("new", "open")
    assert [c.summary for c in contacts(anna)] == ["Service need: Rattle in the back door"]


def test_a_service_need_needs_a_subject_and_leaves_the_call_open(call, owner):
    with pytest.raises(ValidationError, match="what the customer needs"):
        outcomes.service_need(call, NOW, owner, subject="  ")
    call.refresh_from_db()
    assert call.status == ActionStatus.OPEN and not Call.objects.exists()


def test_a_referral_adds_a_prospect_and_a_call_to_them(call, anna, owner):
    logged = outcomes.referral(
        call, NOW, owner, name="Ben  Baker", phone="(202) 555-0199", note="Needs a van"
    )
    referral = Referral.objects.get()
    ben = referral.referred
    assert (referral.referrer, referral.date, referral.note) == (anna, MONDAY, "Needs a van")
    assert (ben.first_name, ben.last_name, ben.status, ben.owner) == (
        "Ben",
        "Baker",
        "prospect",
        owner,
    )
    assert [p.number for p in ben.phones.all()] == ["+12025550199"]
    follow_up = logged.follow_up
    assert (follow_up.kind, follow_up.customer, follow_up.due_on) == (
        "follow_up",
        ben,
        dt.date(2026, 11, 24),
    )
    assert follow_up.title == "Call Ben Baker, referred by Anna Smith"
    assert [c.summary for c in contacts(anna)] == ["Referred Ben Baker"]


def test_a_referral_of_someone_in_the_book_links_them(call, anna, owner):
    ben = callable_customer(owner, "Ben Baker", days_ago=10)
    number = ben.phones.get().number
    outcomes.referral(call, NOW, owner, name="Benjamin Baker", phone=number)
    assert Referral.objects.get().referred == ben
    assert Customer.objects.filter(last_name="Baker").count() == 1


def test_a_referral_needs_a_name_and_a_way_to_reach_them(call, owner):
    with pytest.raises(ValidationError, match="name"):
        outcomes.referral(call, NOW, owner, name="", phone="2025550199")
    with pytest.raises(ValidationError, match="phone number or e-mail"):
        outcomes.referral(call, NOW, owner, name="Ben Baker")
    with pytest.raises(ValidationError):
        outcomes.referral(call, NOW, owner, name="Ben Baker", phone="12")
    call.refresh_from_db()
    assert (
        call.status == ActionStatus.OPEN and not Customer.objects.filter(last_name="Baker").exists()
    )


def test_a_sales_lead_notes_it_and_follows_up(call, anna, owner):
    logged = outcomes.sales_lead(call, NOW, owner, note="Trading in the SUV next spring")
    fact = Fact.objects.get(customer=anna)
    assert (fact.text, fact.tags, fact.learned_on) == (
        "Trading in the SUV next spring",
        "sales lead",
        MONDAY,
    )
    follow_up = logged.follow_up
    assert follow_up.key == f"followup:call:{call.pk}"
    assert (follow_up.kind, follow_up.due_on) == ("follow_up", dt.date(2026, 11, 25))
    assert follow_up.detail == "Trading in the SUV next spring"
    assert len(contacts(anna)) == 1


def test_plain_done_on_a_call_counts_as_all_fine(call, anna):
    complete(call, NOW, "Chatted about the kids")
    assert Call.objects.get().outcome == "all_fine"
    [contact] = contacts(anna)
    assert contact.summary == "Chatted about the kids"


def test_only_call_actions_take_call_outcomes(owner, anna):
    other = Action.objects.create(
        key="x",
        kind="follow_up",
        owner=owner,
        customer=anna,
        title="x",
        due_on=MONDAY,
        created_at=NOW,
        updated_at=NOW,
    )
    with pytest.raises(ValidationError, match="not a call"):
        outcomes.all_fine(other, NOW, owner)
