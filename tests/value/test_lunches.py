"""Breakfast or lunch with the best customers: who is suggested, one per period, the steps."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from extramile.agenda import services as agenda
from extramile.agenda.engine import plan
from extramile.agenda.models import Action, ActionStatus
from extramile.book.models import Contact, Promise
from extramile.value import lunches
from extramile.value.models import Invitation, InvitationStatus
from tests.conftest import NOW
from tests.value.conftest import TODAY, buyer

DAY = dt.timedelta(days=1)


def book(owner, count=4):
    """``count`` customers, the first the best."""
    return [
        buyer(owner, f"B{n} Buyer", sales=[(10 + n * 40, 50_000 - n * 5000)] * (4 - n % 4))
        for n in range(count)
    ]


def suggested(owner) -> list[str]:
    return [
        invitation.customer.first_name
        for invitation in Invitation.objects.filter(owner=owner).order_by("suggested_on", "pk")
    ]


def item(invitation) -> Action:
    return Action.objects.get(key=f"lunch:{invitation.pk}")


def test_the_best_customer_is_suggested_once_per_period(owner, colleague):
    book(owner)
    book(colleague, 2)
    first = plan(TODAY, NOW)
    assert first.prepared["lunches"] == 2
    assert suggested(owner) == ["B0"] and suggested(colleague) == ["B0"]
    invitation = Invitation.objects.get(owner=owner)
    action = item(invitation)
    assert action.kind == "lunch" and action.title == "Invite B0 Buyer to breakfast or lunch"
    assert "Value score" in action.detail and "#1 of 4" in action.detail
    # Re-planning the same day, or later in the period, adds nothing.
    again = plan(TODAY, NOW)
    later = plan(TODAY + 5 * DAY, NOW + 5 * DAY)
    assert again.prepared["lunches"] == later.prepared["lunches"] == 0
    assert again.created == 0
    assert Invitation.objects.filter(owner=owner).count() == 1


def test_periods_are_stable_boundaries():
    start = lunches.period_start(TODAY, 14)
    assert all(lunches.period_start(start + n * DAY, 14) == start for n in range(14))
    assert lunches.period_start(start + 14 * DAY, 14) == start + 14 * DAY


def test_next_period_skips_those_invited_in_the_last_six_months(owner):
    book(owner)
    plan(TODAY, NOW)
    first = Invitation.objects.get(owner=owner)
    lunches.invite(first, NOW, "lunch", "Hear how the fleet plan is going")
    later = NOW + 14 * DAY
    plan(later.date(), later)
    assert suggested(owner) == ["B0", "B1"]


def test_an_ignored_suggestion_lapses_and_the_customer_may_come_back(owner):
    book(owner)
    plan(TODAY, NOW)
    later = NOW + 14 * DAY
    plan(later.date(), later)
    first, second = Invitation.objects.filter(owner=owner).order_by("pk")
    assert first.status == InvitationStatus.CANCELLED and first.notes == lunches.LAPSED
    assert second.customer_id == first.customer_id  # still the best, and never invited


def test_no_one_with_an_unmet_promise_or_do_not_call(owner):
    best, second, third, _ = book(owner)
    Promise.objects.create(customer=best, description="Send the quote", due_on=TODAY + 5 * DAY)
    second.do_not_call = True
    second.save()
    plan(TODAY, NOW)
    assert suggested(owner) == [third.first_name]


def test_a_promise_overdue_after_the_suggestion_holds_it_back(owner):
    best = book(owner)[0]
    plan(TODAY, NOW)
    invitation = Invitation.objects.get(owner=owner)
    Promise.objects.create(customer=best, description="Call back about the tyres", due_on=TODAY)
    tomorrow = NOW + DAY
    plan(tomorrow.date(), tomorrow)
    assert item(invitation).detail.startswith("Held back: the promise “Call back about the tyres”")
    with pytest.raises(ValidationError, match="Held back"):
        lunches.invite(invitation, tomorrow, "lunch", "Thank them")


def test_no_scores_no_suggestion(owner):
    buyer(owner, "No Sales")
    plan(TODAY, NOW)
    assert suggested(owner) == []


def test_the_steps_and_a_meal_held_is_a_contact(owner):
    book(owner)
    plan(TODAY, NOW)
    invitation = Invitation.objects.get(owner=owner)
    with pytest.raises(ValidationError, match="How will this create more value"):
        lunches.invite(invitation, NOW, "lunch", " ")
    with pytest.raises(ValidationError, match="Choose breakfast or lunch"):
        lunches.invite(invitation, NOW, "dinner", "x")
    with pytest.raises(ValidationError, match="Invite B0 Buyer first"):
        lunches.hold(invitation, NOW, "Great chat")
    lunches.invite(invitation, NOW, "breakfast", "Learn their plans for next year")
    assert item(invitation).title == "Waiting for B0 Buyer's answer: breakfast"
    with pytest.raises(ValidationError, match="has not answered"):
        lunches.invite(invitation, NOW, "breakfast", "again")  # a double click
    with pytest.raises(ValidationError, match="The date has passed"):
        lunches.accept(invitation, NOW, TODAY - DAY)
    lunches.accept(invitation, NOW, TODAY + 3 * DAY)
    action = item(invitation)
    assert action.due_on == TODAY + 3 * DAY and action.title.startswith("Breakfast with B0 Buyer")
    with pytest.raises(ValidationError, match="has not happened yet"):
        lunches.hold(invitation, NOW, "Too early")
    meal_day = NOW + 3 * DAY
    lunches.hold(invitation, meal_day, "Talked about their daughter's new job")
    invitation.refresh_from_db()
    action = item(invitation)
    assert invitation.status == InvitationStatus.HELD
    assert action.status == ActionStatus.DONE
    assert action.value_answer == "Learn their plans for next year"
    contact = Contact.objects.get(customer=invitation.customer)
    assert contact.channel == "meal" and contact.at == meal_day
    invitation.customer.refresh_from_db()
    assert invitation.customer.last_contact_at == meal_day
    with pytest.raises(ValidationError, match="held already"):
        lunches.decline(invitation, meal_day)


def test_done_on_today_marks_it_held_and_needs_the_value_answer(owner):
    book(owner)
    plan(TODAY, NOW)
    invitation = Invitation.objects.get(owner=owner)
    with pytest.raises(ValidationError, match="Invite B0 Buyer first"):
        agenda.complete(item(invitation), NOW, value_answer="x")
    Invitation.objects.filter(pk=invitation.pk).update(status="invited", kind="lunch")
    with pytest.raises(ValidationError, match="How will this"):
        agenda.complete(item(invitation), NOW)
    agenda.complete(item(invitation), NOW, "Lovely", value_answer="Plan their renewal together")
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.HELD and invitation.notes == "Lovely"
    assert Contact.objects.filter(customer=invitation.customer, channel="meal").count() == 1


def test_declined_and_cancelled_close_the_item(owner, colleague):
    book(owner)
    book(colleague)
    plan(TODAY, NOW)
    mine, theirs = Invitation.objects.get(owner=owner), Invitation.objects.get(owner=colleague)
    lunches.invite(mine, NOW, "lunch", "Say thanks for ten years")
    lunches.decline(mine, NOW, "Travelling all month")
    lunches.cancel(theirs, NOW, "Just met them last week")
    assert item(mine).status == item(theirs).status == ActionStatus.SKIPPED
    assert item(mine).outcome == "Travelling all month"


def test_a_book_whose_shortlist_is_all_held_back_is_searched_whole(owner, monkeypatch):
    monkeypatch.setattr(lunches, "SHORTLIST", 1)
    best, second, *_ = book(owner)
    Promise.objects.create(customer=best, description="Send the quote", due_on=TODAY)
    plan(TODAY, NOW)
    assert suggested(owner) == [second.first_name]
