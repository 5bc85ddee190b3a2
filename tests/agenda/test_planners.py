"""Planning: key dates and promises become actions; re-running a plan never duplicates work."""

from __future__ import annotations

import datetime as dt

import pytest

from extramile.agenda import engine, services
from extramile.agenda.models import Action, ActionStatus, Priority
from extramile.book.models import KeyDate, Promise
from extramile.book.services import mark_promise_met
from tests.conftest import NOW, make_customer, make_user

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 23)


def keys(user, day=DAY):
    return [a.key for a in services.today(user, day)]


def test_birthday_becomes_a_reach_out_on_the_day(owner, customer):
    summary = engine.plan(DAY, NOW)
    assert summary.created == 1
    action = Action.objects.get()
    assert action.key == f"keydate:birthday:{customer.pk}:2026"
    assert action.title == "Birthday: Anna Smith (turns 46)"
    assert (action.owner, action.customer, action.due_on) == (owner, customer, DAY)
    assert keys(owner) == [action.key]


def test_plan_is_idempotent_and_keeps_what_was_done(owner, customer):
    engine.plan(DAY, NOW)
    action = Action.objects.get()
    services.complete(action, NOW, "Called, she was delighted")
    again = engine.plan(DAY, NOW + dt.timedelta(hours=1))
    assert again.created == 0
    assert again.total == 1
    action.refresh_from_db()
    assert Action.objects.count() == 1
    assert action.status == ActionStatus.DONE
    assert action.outcome == "Called, she was delighted"
    assert keys(owner) == []


def test_no_work_on_other_days(owner, customer):
    assert engine.plan(DAY + dt.timedelta(days=1), NOW).total == 0


def test_leap_day_birthday_is_celebrated_on_28_february_in_a_common_year(owner):
    leap = make_customer(owner, "Leo", "Leap", birth_month=2, birth_day=29, birth_year=1996)
    feb28 = make_customer(owner, "Fay", "Feb", birth_month=2, birth_day=28)
    engine.plan(dt.date(2027, 2, 28), NOW)
    assert set(Action.objects.values_list("customer", flat=True)) == {leap.pk, feb28.pk}
    assert engine.plan(dt.date(2027, 3, 1), NOW).total == 0
    # In a leap year, each on their own day.
    engine.plan(dt.date(2028, 2, 28), NOW)
    assert Action.objects.filter(due_on=dt.date(2028, 2, 28)).get().customer == feb28
    engine.plan(dt.date(2028, 2, 29), NOW)
    assert Action.objects.filter(due_on=dt.date(2028, 2, 29)).get().customer == leap


def test_custom_key_dates_and_anniversaries(owner):
    couple = make_customer(owner, "Wen", "Wed")
    KeyDate.objects.create(customer=couple, kind="wedding", month=11, day=23, year=2016)
    KeyDate.objects.create(customer=couple, kind="custom", label="Moved to Ohio", month=11, day=23)
    engine.plan(DAY, NOW)
    titles = sorted(Action.objects.values_list("title", flat=True))
    assert titles == ["Moved to Ohio: Wen Wed", "Wedding anniversary: Wen Wed (10 years)"]


def test_do_not_contact_on_every_channel_and_former_customers_are_left_alone(owner):
    make_customer(
        owner,
        "Quiet",
        "Q",
        birth_month=11,
        birth_day=23,
        do_not_call=True,
        do_not_email=True,
        do_not_mail=True,
        do_not_text=True,
    )
    make_customer(owner, "Gone", "G", birth_month=11, birth_day=23, status="former")
    make_customer(owner, "Mail", "Only", birth_month=11, birth_day=23, do_not_call=True)
    engine.plan(DAY, NOW)
    assert list(Action.objects.values_list("title", flat=True)) == ["Birthday: Mail Only"]


def test_inactive_users_get_no_plan(owner, customer):
    owner.is_active = False
    owner.save()
    assert engine.plan(DAY, NOW).total == 0


def test_overdue_promises_come_first(owner, customer):
    late = Promise.objects.create(
        customer=customer, description="Send the brochure", due_on=DAY - dt.timedelta(days=3)
    )
    soon = Promise.objects.create(
        customer=customer, description="Check the tyres", due_on=DAY + dt.timedelta(days=1)
    )
    Promise.objects.create(
        customer=customer, description="Later", due_on=DAY + dt.timedelta(days=9)
    )
    engine.plan(DAY, NOW)
    agenda = list(services.today(owner, DAY))
    assert [a.key for a in agenda] == [
        f"promise:{late.pk}",
        f"keydate:birthday:{customer.pk}:2026",
        f"promise:{soon.pk}",
    ]
    assert agenda[0].priority == Priority.PROMISE
    assert agenda[0].title == "Keep the promise to Anna Smith: Send the brochure"
    assert "Overdue since 20 Nov" in agenda[0].detail


def test_completing_a_promise_action_meets_the_promise_and_vice_versa(owner, customer):
    first = Promise.objects.create(customer=customer, description="Call back", due_on=DAY)
    second = Promise.objects.create(customer=customer, description="Quote", due_on=DAY)
    engine.plan(DAY, NOW)
    services.complete(Action.objects.get(key=f"promise:{first.pk}"), NOW)
    first.refresh_from_db()
    assert first.met_at == NOW
    mark_promise_met(second, NOW)
    assert Action.objects.get(key=f"promise:{second.pk}").status == ActionStatus.DONE
    # A met promise is not planned again.
    assert engine.plan(DAY + dt.timedelta(days=1), NOW).planned["promises"] == 0


def test_agenda_is_ordered_by_priority_then_due(owner):
    a = make_customer(owner, "A", "A", birth_month=11, birth_day=21)
    b = make_customer(owner, "B", "B")
    KeyDate.objects.create(customer=b, kind="wedding", month=11, day=23)
    engine.plan(dt.date(2026, 11, 21), NOW)
    engine.plan(DAY, NOW)
    agenda = list(services.today(owner, DAY))
    assert [x.customer for x in agenda] == [a, b]  # birthday (high) before anniversary (normal)
    assert [x.due_on for x in agenda] == [dt.date(2026, 11, 21), DAY]


def test_key_date_actions_expire_after_a_week_and_count_as_missed(owner, customer):
    engine.plan(DAY, NOW)
    assert keys(owner, DAY + dt.timedelta(days=7))
    assert keys(owner, DAY + dt.timedelta(days=8)) == []
    assert engine.plan(DAY + dt.timedelta(days=7), NOW).missed == 0
    assert engine.plan(DAY + dt.timedelta(days=8), NOW).missed == 1
    assert Action.objects.get().status == ActionStatus.MISSED
    # Planning that past day again does not reopen it.
    engine.plan(DAY, NOW)
    assert Action.objects.get().status == ActionStatus.MISSED


def test_skip_snooze_and_no_double_completion(owner, customer):
    engine.plan(DAY, NOW)
    action = Action.objects.get()
    services.snooze(action, NOW, DAY + dt.timedelta(days=2))
    assert keys(owner, DAY) == []
    assert keys(owner, DAY + dt.timedelta(days=2)) == [action.key]
    with pytest.raises(Exception, match="after today"):
        services.snooze(action, NOW, DAY)
    services.skip(action, NOW, "Already spoke at the dealership")
    with pytest.raises(services.AlreadyClosed, match="already skipped"):
        services.complete(action, NOW)
    action.refresh_from_db()
    assert action.status == ActionStatus.SKIPPED


def test_today_is_the_users_local_day_east_of_the_date_line(company, customer):
    """At 11:00 UTC on 22 November it is already 23 November in Kiritimati (UTC+14)."""
    east = make_user("kiri", time_zone="Pacific/Kiritimati")
    west = make_user("pago", time_zone="Pacific/Pago_Pago")  # UTC-11: still 22 November
    mine = make_customer(east, "Ika", "East", birth_month=11, birth_day=23)
    theirs = make_customer(west, "Wes", "West", birth_month=11, birth_day=23)
    now = dt.datetime(2026, 11, 22, 11, 0, tzinfo=dt.UTC)
    assert east.local_date(now) == DAY
    assert west.local_date(now) == DAY - dt.timedelta(days=1)
    engine.plan(DAY, now)
    assert [a.customer for a in services.today(east, now=now)] == [mine]
    assert list(services.today(west, now=now)) == []
    assert [a.customer for a in services.today(west, DAY)] == [theirs]


def test_plan_for_some_owners_only(owner, colleague, customer, colleague_customer):
    from extramile.accounts.models import User

    engine.plan(DAY, NOW, User.objects.filter(pk=owner.pk))
    assert list(Action.objects.values_list("owner", flat=True)) == [owner.pk]
