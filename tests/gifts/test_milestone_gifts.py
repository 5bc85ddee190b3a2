"""Milestone gifts: a gift suggested on the 5th, 10th and 20th anniversary of a customer's first
purchase, held back while a promise to that customer is overdue, done with the value question.
The habit is one app: no agenda or accounts migration, and Today shows its row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from extramile.agenda import habits
from extramile.agenda import services as agenda
from extramile.agenda.engine import plan
from extramile.agenda.models import Action, ActionStatus
from extramile.book.models import Promise, Sale
from extramile.book.services import mark_promise_met
from extramile.gifts.planners import anniversary
from tests.conftest import NOW, PASSWORD, make_customer

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)  # NOW's day in New York


def bought(customer, *days: dt.date) -> None:
    for day in days:
        Sale.objects.create(
            customer=customer, date=day, description="A blue estate car", amount=Decimal("1")
        )


def gifts(owner=None) -> list[Action]:
    found = Action.objects.filter(kind="milestone_gift").order_by("key")
    return list(found.filter(owner=owner) if owner else found)


def test_the_habit_is_registered_by_its_own_app():
    gift = habits.get("milestone_gift")
    assert gift.value_adding and gift.held_back and gift.has_row
    assert "milestone_gift" in habits.kinds_where(value_adding=True)
    assert gift.key.build(7, 10) == "gift:7:10" and gift.key.parts("gift:7:10") == ["7", "10"]


def test_a_gift_a_week_before_the_tenth_anniversary_of_the_first_purchase(owner):
    ten = make_customer(owner, "Ten", "Years")
    bought(ten, dt.date(2016, 11, 27), dt.date(2021, 11, 25))  # later sales do not count
    seven = make_customer(owner, "Seven", "Years")
    bought(seven, dt.date(2019, 11, 25))  # not a milestone
    summary = plan(TODAY, NOW)
    assert summary.planned["milestone_gifts"] == 1
    (gift,) = gifts()
    assert gift.key == f"gift:{ten.pk}:10" and gift.customer_id == ten.pk
    assert gift.title == "A gift for Ten Years: 10 years since their first purchase"
    assert "Fri 27 Nov 2026" in gift.detail and "A blue estate car" in gift.detail
    assert gift.due_on == TODAY  # the 27th less a week is past: it shows today
    assert gift.expires_on == dt.date(2026, 12, 4)
    # Planning again creates nothing new.
    assert plan(TODAY, NOW).created == 0


def test_fifth_and_twentieth_anniversaries_and_the_window(owner):
    five = make_customer(owner, "Five", "Years")
    bought(five, dt.date(2021, 11, 30))  # in a week: shows from today
    twenty = make_customer(owner, "Twenty", "Years")
    bought(twenty, dt.date(2006, 11, 17))  # six days ago: still shown
    early = make_customer(owner, "Not", "Yet")
    bought(early, dt.date(2021, 12, 1))  # eight days ahead: not yet
    late = make_customer(owner, "Too", "Late")
    bought(late, dt.date(2016, 11, 15))  # eight days ago: gone
    plan(TODAY, NOW)
    assert [g.key for g in gifts()] == sorted([f"gift:{five.pk}:5", f"gift:{twenty.pk}:20"])


def test_a_first_purchase_on_29_february_is_remembered_on_28_february():
    assert anniversary(dt.date(2016, 2, 29), 10) == dt.date(2026, 2, 28)
    assert anniversary(dt.date(2016, 2, 29), 20) == dt.date(2036, 2, 29)


def test_planned_on_28_february_for_a_leap_day_first_purchase(owner):
    leap = make_customer(owner, "Leap", "Day")
    bought(leap, dt.date(2016, 2, 29))
    day = dt.date(2026, 2, 21)  # a week before 28 February 2026
    plan(day, dt.datetime(2026, 2, 21, 15, tzinfo=dt.UTC))
    (gift,) = gifts()
    assert gift.due_on == day and "Sat 28 Feb 2026" in gift.detail


def test_held_back_while_a_promise_to_the_customer_is_overdue(owner):
    waiting = make_customer(owner, "Still", "Waiting")
    bought(waiting, dt.date(2016, 11, 26))
    promise = Promise.objects.create(
        customer=waiting, description="Send the winter tyres quote", due_on=TODAY - dt.timedelta(1)
    )
    plan(TODAY, NOW)
    assert gifts() == []
    mark_promise_met(promise, NOW)
    plan(TODAY, NOW)
    assert [g.customer_id for g in gifts()] == [waiting.pk]


def test_done_only_with_the_answer_to_the_value_question(owner):
    customer = make_customer(owner, "Ten", "Years")
    bought(customer, dt.date(2016, 11, 26))
    plan(TODAY, NOW)
    (gift,) = gifts()
    with pytest.raises(ValidationError, match="more value"):
        agenda.complete(gift, NOW, "A framed photo of the car")
    done = agenda.complete(
        gift, NOW, "A framed photo of the car", value_answer="They tow a caravan every summer"
    )
    assert done.status == ActionStatus.DONE and done.value_answer.startswith("They tow")


def test_only_the_owner_books_are_planned(owner, colleague):
    mine = make_customer(owner, "Mine", "Ten")
    theirs = make_customer(colleague, "Theirs", "Ten")
    bought(mine, dt.date(2016, 11, 26))
    bought(theirs, dt.date(2016, 11, 26))
    plan(TODAY, NOW, owner.__class__.objects.filter(pk=owner.pk))
    assert [g.owner_id for g in gifts()] == [owner.pk]


@pytest.mark.time_machine(NOW, tick=False)
def test_today_shows_the_gift_row_with_the_value_question(client, owner):
    customer = make_customer(owner, "Ten", "Years")
    bought(customer, dt.date(2016, 11, 26))
    plan(TODAY, NOW)
    (gift,) = gifts()
    assert client.login(username=owner.username, password=PASSWORD)
    page = client.get(reverse("today")).content.decode()
    assert "A gift for Ten Years" in page and "What did you give?" in page
    assert "How will this create more value for this customer?" in page
    refused = client.post(
        reverse("action-done", args=[gift.pk]), {"outcome": "Flowers"}, HTTP_HX_REQUEST="true"
    )
    assert "Write a line before marking it done" in refused.content.decode()
    client.post(
        reverse("action-done", args=[gift.pk]),
        {"outcome": "Flowers", "value_answer": "Their garden is their pride"},
    )
    gift.refresh_from_db()
    assert gift.status == ActionStatus.DONE and gift.outcome == "Flowers"
