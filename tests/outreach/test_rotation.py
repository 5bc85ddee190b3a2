"""The rotation: who gets a call today, and who does not."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extramile.agenda.actions import put_many
from extramile.agenda.engine import plan
from extramile.agenda.models import Action, ActionStatus, Priority
from extramile.book.models import Customer, Fact
from extramile.outreach.rotation import rotation
from tests.conftest import NOW
from tests.outreach.conftest import callable_customer

MONDAY = dt.date(2026, 11, 23)
LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def calls(owner, day=MONDAY) -> list[Action]:
    return list(Action.objects.filter(owner=owner, kind="call", due_on=day).order_by("id"))


def called(owner, day=MONDAY) -> set[str]:
    return {action.customer.full_name for action in calls(owner, day)}


def plan_calls(day=MONDAY, now=NOW, owners=None) -> int:
    from extramile.accounts.models import User

    specs = list(rotation(day, now, owners or User.objects.all()))
    return put_many(specs, now) if specs else 0


def test_the_most_overdue_customers_get_the_days_calls(owner, company):
    company.calls_per_day = 2
    company.save()
    callable_customer(owner, "Ann Alpha", tier="A", days_ago=45)  # 1.5 cadences
    callable_customer(owner, "Bob Beta", tier="B", days_ago=100)  # 1.1
    callable_customer(owner, "Cy Gamma", tier="C", days_ago=300)  # 1.67
    callable_customer(owner, "Di Delta", tier="C", days_ago=150)  # 0.83
    plan_calls()
    assert called(owner) == {"Cy Gamma", "Ann Alpha"}
    action = calls(owner)[0]
    assert action.priority == Priority.CALL
    assert action.due_on == action.expires_on == MONDAY
    assert action.key == f"call:{action.customer_id}:2026-11-23"


def test_the_call_says_why_now_and_shows_pinned_facts(owner):
    anna = callable_customer(owner, "Anna Smith", tier="A", days_ago=47)
    Fact.objects.create(customer=anna, text="Daughter Mia starts college", pinned=True)
    Fact.objects.create(customer=anna, text="Not pinned, not shown", pinned=False)
    callable_customer(owner, "Nev Newman", tier="C", customer_since=dt.date(2019, 3, 1))
    plan_calls()
    by_name = {a.customer.full_name: a for a in calls(owner)}
    assert by_name["Anna Smith"].title == "Call Anna Smith"
    assert by_name["Anna Smith"].detail == (
        "Tier A, last spoke 47 days ago (every 30 days). Remember: Daughter Mia starts college."
    )
    assert by_name["Nev Newman"].detail == (
        "Tier C, never contacted; a customer since Mar 2019 (every 180 days)."
    )


def test_customers_who_should_not_be_called_are_skipped(owner):
    callable_customer(owner, "Dot Donot", days_ago=400, do_not_call=True)
    callable_customer(owner, "Ned Nophone", days_ago=400, phone=False)
    callable_customer(owner, "Fay Former", days_ago=400, status="former")
    callable_customer(owner, "Pat Prospect", days_ago=400, status="prospect")
    callable_customer(owner, "Rec Recent", tier="A", days_ago=6)
    callable_customer(owner, "Ok Overdue", days_ago=400)
    plan_calls()
    assert called(owner) == {"Ok Overdue"}


def test_not_yet_due_customers_fill_the_day_from_half_their_cadence(owner):
    callable_customer(owner, "Half Way", tier="C", days_ago=95)  # 0.53
    callable_customer(owner, "Too Soon", tier="C", days_ago=80)  # 0.44
    plan_calls()
    assert called(owner) == {"Half Way"}


def test_an_open_service_request_keeps_the_customer_off_the_list(owner):
    from extramile.service import services

    busy = callable_customer(owner, "Sue Service", days_ago=400)
    callable_customer(owner, "Ok Overdue", days_ago=400)
    services.open_request(customer=busy, subject="Rattle", opened_by=owner, now=NOW)
    plan_calls()
    assert called(owner) == {"Ok Overdue"}


def test_no_customer_is_called_twice_within_a_week(owner, company):
    company.calls_per_day = 1
    company.save()
    callable_customer(owner, "Ann Alpha", tier="A", days_ago=400)
    callable_customer(owner, "Bob Beta", tier="A", days_ago=300)
    plan_calls(MONDAY)
    # Monday's call was not made (missed), so Ann is still the most overdue, but not again so soon.
    tuesday = MONDAY + dt.timedelta(days=1)
    plan_calls(tuesday, NOW + dt.timedelta(days=1))
    assert called(owner, MONDAY) == {"Ann Alpha"}
    assert called(owner, tuesday) == {"Bob Beta"}
    next_monday = MONDAY + dt.timedelta(days=7)
    plan_calls(next_monday, NOW + dt.timedelta(days=7))
    assert called(owner, next_monday) == {"Ann Alpha"}


def test_re_planning_a_day_adds_nothing(owner, company):
    for n in range(8):
        callable_customer(owner, f"Cus {n}", days_ago=200 + n)
    first = plan(MONDAY, NOW)
    [done, *_] = calls(owner)
    Action.objects.filter(pk=done.pk).update(status=ActionStatus.DONE)
    again = plan(MONDAY, NOW)
    assert first.planned["calls"] == 5
    assert again.planned["calls"] == 0 and again.created == 0
    assert len(calls(owner)) == 5


def test_a_retry_due_today_counts_toward_the_days_calls(owner, company):
    company.calls_per_day = 3
    company.save()
    retry = callable_customer(owner, "Ret Ry", days_ago=300)
    Action.objects.create(
        key=f"call:{retry.pk}:2026-11-23",
        kind="call",
        owner=owner,
        customer=retry,
        title="Call Ret Ry again",
        due_on=MONDAY,
        priority=Priority.CALL,
        created_at=NOW,
        updated_at=NOW,
    )
    for n in range(5):
        callable_customer(owner, f"Cus {n}", days_ago=400)
    plan_calls()
    assert len(calls(owner)) == 3


def test_no_calls_on_weekends_or_public_holidays(owner):
    callable_customer(owner, "Ok Overdue", days_ago=400)
    saturday, thanksgiving = dt.date(2026, 11, 28), dt.date(2026, 11, 26)
    assert plan_calls(saturday) == 0
    assert plan_calls(thanksgiving) == 0
    assert not Action.objects.filter(kind="call").exists()


def test_each_rep_gets_their_own_calls(owner, colleague, company):
    company.calls_per_day = 1
    company.save()
    callable_customer(owner, "Own One", days_ago=400)
    callable_customer(colleague, "Col One", days_ago=200)
    callable_customer(colleague, "Col Two", days_ago=300)
    plan_calls()
    assert called(owner) == {"Own One"}
    assert called(colleague) == {"Col Two"}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(day=st.dates(dt.date(2026, 1, 1), dt.date(2028, 12, 31)))
def test_calls_are_planned_on_working_days_only(owner, day):
    from extramile import business_hours

    Action.objects.filter(kind="call").delete()
    if not Customer.objects.exists():
        callable_customer(owner, "Ok Overdue", days_ago=0, now=LONG_AGO)
    now = dt.datetime.combine(day, dt.time(14, 30), tzinfo=dt.UTC)
    created = plan_calls(day, now)
    assert created == (1 if business_hours.for_user(owner).is_working_day(day) else 0)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(day=st.dates(dt.date(2026, 1, 1), dt.date(2028, 12, 31)))
def test_no_answer_comes_back_on_the_second_working_day(owner, day):
    from extramile import business_hours
    from extramile.outreach.outcomes import no_answer

    Action.objects.filter(kind="call").delete()
    hours = business_hours.for_user(owner)
    day = hours.next_working_day(day)
    if not Customer.objects.exists():
        callable_customer(owner, "Ok Overdue", days_ago=0, now=LONG_AGO)
    now = dt.datetime.combine(day, dt.time(14, 30), tzinfo=dt.UTC)
    plan_calls(day, now)
    [action] = calls(owner, day)
    retry = no_answer(action, now, owner).follow_up
    between = [day + dt.timedelta(days=n) for n in range(1, (retry.due_on - day).days + 1)]
    assert [d for d in between if hours.is_working_day(d)][-1:] == [retry.due_on]
    assert sum(hours.is_working_day(d) for d in between) == 2
