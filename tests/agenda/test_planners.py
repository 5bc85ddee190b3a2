"""Planning: promises and card batches become actions; re-running a plan never duplicates work.

Birthdays, anniversaries and holidays are cards now (``tests/cards``); here they only appear as
the one Today item per rep and mail-by date that a batch of cards becomes.
"""

from __future__ import annotations

import datetime as dt

import pytest

from extramile.agenda import engine, services
from extramile.agenda.models import Action, ActionStatus, Priority
from extramile.book.models import Promise
from extramile.book.services import mark_promise_met
from tests.conftest import NOW, make_customer, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quiet_week")]

DAY = dt.date(2026, 11, 23)  # a Monday


@pytest.fixture
def customer(owner):
    """Anna without a birthday: her only work on Today is what she was promised."""
    return make_customer(owner, "Anna", "Smith")


def promise(customer, description="Call back about the trade-in", due_on=DAY, **extra):
    return Promise.objects.create(
        customer=customer, description=description, due_on=due_on, **extra
    )


def keys(user, day=DAY):
    return [a.key for a in services.today(user, day)]


def test_a_promise_due_today_is_on_today(owner, customer):
    kept = promise(customer)
    summary = engine.plan(DAY, NOW)
    assert summary.created == 1
    assert summary.planned["promises"] == 1
    action = Action.objects.get()
    assert action.key == f"promise:{kept.pk}"
    assert action.kind == "promise"
    assert action.title == "Keep the promise to Anna Smith: Call back about the trade-in"
    assert (action.owner, action.customer, action.due_on) == (owner, customer, DAY)
    assert (action.priority, action.expires_on) == (Priority.HIGH, None)
    assert keys(owner) == [action.key]


def test_an_expectation_reads_as_theirs(owner, customer):
    promise(customer, "A loan car during the service", kind="expectation")
    engine.plan(DAY, NOW)
    assert (
        Action.objects.get().title == "Meet Anna Smith's expectation: A loan car during the service"
    )


def test_plan_is_idempotent_and_keeps_what_was_done(owner, customer):
    promise(customer)
    engine.plan(DAY, NOW)
    action = Action.objects.get()
    services.skip(action, NOW, "Already spoke at the dealership")
    again = engine.plan(DAY, NOW + dt.timedelta(hours=1))
    assert again.created == 0
    assert again.total == 1
    action.refresh_from_db()
    assert Action.objects.count() == 1
    assert action.status == ActionStatus.SKIPPED
    assert action.outcome == "Already spoke at the dealership"
    assert keys(owner) == []


def test_a_promise_shows_two_days_before_it_is_due_and_not_sooner(owner, customer):
    promise(customer, due_on=DAY + dt.timedelta(days=3))
    assert engine.plan(DAY, NOW).total == 0
    assert engine.plan(DAY + dt.timedelta(days=1), NOW).total == 1
    assert Action.objects.get().due_on == DAY + dt.timedelta(days=1)
    assert keys(owner) == []


def test_inactive_users_get_no_plan(owner, customer):
    promise(customer)
    owner.is_active = False
    owner.save()
    assert engine.plan(DAY, NOW).total == 0


def test_overdue_promises_come_first(owner, customer):
    soon = promise(customer, "Check the tyres", due_on=DAY + dt.timedelta(days=1))
    late = promise(customer, "Send the brochure", due_on=DAY - dt.timedelta(days=3))
    later = promise(customer, "Later", due_on=DAY + dt.timedelta(days=9))
    oldest = promise(
        customer, "Return the spare key", kind="expectation", due_on=DAY - dt.timedelta(days=5)
    )
    engine.plan(DAY, NOW)
    agenda = list(services.today(owner, DAY))
    assert [a.key for a in agenda] == [
        f"promise:{oldest.pk}",
        f"promise:{late.pk}",
        f"promise:{soon.pk}",
    ]
    assert f"promise:{later.pk}" not in Action.objects.values_list("key", flat=True)
    assert [a.priority for a in agenda] == [Priority.PROMISE, Priority.PROMISE, Priority.HIGH]
    assert agenda[1].title == "Keep the promise to Anna Smith: Send the brochure"
    assert "Overdue since Fri 20 Nov" in agenda[1].detail
    assert agenda[2].due_on == DAY
    assert "Due Tue 24 Nov" in agenda[2].detail


def test_completing_a_promise_action_meets_the_promise_and_vice_versa(owner, customer):
    first = promise(customer, "Call back")
    second = promise(customer, "Quote")
    engine.plan(DAY, NOW)
    services.complete(Action.objects.get(key=f"promise:{first.pk}"), NOW)
    first.refresh_from_db()
    assert first.met_at == NOW
    mark_promise_met(second, NOW)
    assert Action.objects.get(key=f"promise:{second.pk}").status == ActionStatus.DONE
    # A met promise is not planned again.
    assert engine.plan(DAY + dt.timedelta(days=1), NOW).planned["promises"] == 0


def test_agenda_is_ordered_by_priority_then_due(owner, customer):
    # Bea's birthday is Tuesday 1 December: her card is mailed by Tuesday 24 November and the
    # batch shows from Saturday 21 November.
    make_customer(owner, "Bea", "Bell", birth_month=12, birth_day=1)
    soon = promise(customer, "Check the tyres", due_on=DAY + dt.timedelta(days=1))
    overdue = promise(customer, "Send the brochure", due_on=DAY - dt.timedelta(days=1))
    summary = engine.plan(DAY, NOW)
    assert {name: n for name, n in summary.planned.items() if n} == {"promises": 2, "cards": 1}
    agenda = list(services.today(owner, DAY))
    assert [x.key for x in agenda] == [
        f"promise:{overdue.pk}",  # overdue: first, though due after the batch
        f"cards:{owner.pk}:2026-11-24",  # cards come before promises not yet due
        f"promise:{soon.pk}",  # due tomorrow: "soon"
    ]
    assert [x.due_on for x in agenda] == [
        dt.date(2026, 11, 22),
        dt.date(2026, 11, 21),
        DAY,
    ]
    assert agenda[1].title == "Mail 1 card by Tue 24 Nov: Birthday 1"


def test_a_card_batch_is_on_today_until_its_occasion_and_then_counts_as_missed(owner):
    # Thursday 10 December: mailed by Thursday 3 December, on Today from Monday 30 November.
    make_customer(owner, "Anna", "Smith", birth_month=12, birth_day=10, birth_year=1980)
    make_customer(
        owner,
        "Ben",
        "Post",
        birth_month=12,
        birth_day=10,
        street="12 Elm Street",
        city="Springfield",
        region="IL",
        postal_code="62704",
    )
    shown = dt.date(2026, 11, 30)
    key = f"cards:{owner.pk}:2026-12-03"
    # The cards are planned ahead; their batch reaches Today three days before mail-by.
    ahead = engine.plan(shown - dt.timedelta(days=1), NOW)
    assert (ahead.prepared["cards"], ahead.planned["cards"]) == (2, 0)
    assert engine.plan(shown, NOW).planned["cards"] == 1
    action = Action.objects.get(key=key)
    assert (action.kind, action.owner, action.customer) == ("cards", owner, None)
    assert action.title == "Mail 2 cards by Thu 3 Dec: Birthday 2"
    assert (action.due_on, action.expires_on) == (shown, dt.date(2026, 12, 10))
    assert keys(owner, shown - dt.timedelta(days=1)) == []
    assert keys(owner, shown) == [key]
    assert keys(owner, dt.date(2026, 12, 10)) == [key]
    assert keys(owner, dt.date(2026, 12, 11)) == []
    # Late but still before the birthday, it says so.
    engine.plan(dt.date(2026, 12, 4), NOW)
    action.refresh_from_db()
    assert action.title == "Mail 2 cards now, due Thu 3 Dec: Birthday 2"
    assert engine.plan(dt.date(2026, 12, 10), NOW).missed == 0
    assert engine.plan(dt.date(2026, 12, 11), NOW).missed == 1
    action.refresh_from_db()
    assert action.status == ActionStatus.MISSED
    # Planning that past day again does not reopen it.
    engine.plan(shown, NOW)
    action.refresh_from_db()
    assert action.status == ActionStatus.MISSED


def test_skip_snooze_and_no_double_completion(owner, customer):
    promise(customer)
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


def test_today_is_the_users_local_day_east_of_the_date_line(company):
    """At 11:00 UTC on 22 November it is already 23 November in Kiritimati (UTC+14)."""
    east = make_user("kiri", time_zone="Pacific/Kiritimati")
    west = make_user("pago", time_zone="Pacific/Pago_Pago")  # UTC-11: still 22 November
    mine = make_customer(east, "Ika", "East")
    theirs = make_customer(west, "Wes", "West")
    promise(mine)
    promise(theirs)
    now = dt.datetime(2026, 11, 22, 11, 0, tzinfo=dt.UTC)
    assert east.local_date(now) == DAY
    assert west.local_date(now) == DAY - dt.timedelta(days=1)
    engine.plan(DAY, now)
    assert [a.customer for a in services.today(east, now=now)] == [mine]
    assert list(services.today(west, now=now)) == []
    assert [a.customer for a in services.today(west, DAY)] == [theirs]


def test_plan_for_some_owners_only(owner, colleague, customer, colleague_customer):
    from extramile.accounts.models import User

    promise(customer)
    promise(colleague_customer)
    engine.plan(DAY, NOW, User.objects.filter(pk=owner.pk))
    assert list(Action.objects.values_list("owner", flat=True)) == [owner.pk]
