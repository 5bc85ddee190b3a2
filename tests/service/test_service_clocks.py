"""The service clocks in business time: deadlines, pauses, priority changes, reopening."""

from __future__ import annotations

import datetime as dt

import pytest

from extramile.service import services
from extramile.service.models import Priority, Status
from tests.service.conftest import ny

pytestmark = pytest.mark.django_db

FRIDAY = (2026, 11, 20)
MONDAY = (2026, 11, 23)


def test_opened_friday_1730_with_a_one_hour_target_is_due_monday_0930(customer, owner):
    request = services.open_request(
        customer=customer,
        subject="Flat tyre",
        opened_by=owner,
        now=ny(*FRIDAY, 17, 30),
        priority=Priority.URGENT,
    )
    assert request.first_response_due_at == ny(*MONDAY, 9, 30)
    # four business hours: 30 min on Friday, then 09:00–12:30 on Monday
    assert request.resolve_due_at == ny(*MONDAY, 12, 30)
    assert request.due_at == request.first_response_due_at


def test_the_default_targets_per_priority(customer, owner):
    opened = ny(*MONDAY, 9)
    due = {}
    for priority in Priority.values:
        request = services.open_request(
            customer=customer, subject=priority, opened_by=owner, now=opened, priority=priority
        )
        due[priority] = (request.first_response_due_at, request.resolve_due_at)
    assert due["urgent"] == (ny(*MONDAY, 10), ny(*MONDAY, 13))
    assert due["high"] == (ny(*MONDAY, 11), ny(*MONDAY, 18))
    # three business days from Monday 09:00, Thanksgiving (Thursday 26) is not one of them
    assert due["normal"] == (ny(*MONDAY, 13), ny(2026, 11, 25, 18))
    assert due["low"] == (ny(*MONDAY, 18), ny(2026, 11, 30, 18))


def test_a_pause_over_the_weekend_does_not_eat_the_target(customer, owner):
    request = services.open_request(
        customer=customer,
        subject="Brakes",
        opened_by=owner,
        now=ny(*FRIDAY, 17, 30),
        priority=Priority.URGENT,
    )
    assert request.first_response_due_at == ny(*MONDAY, 9, 30)
    services.set_status(request, Status.WAITING, owner, ny(*FRIDAY, 17, 45))
    assert request.due_at is None  # paused before its deadline: nothing ticking
    assert not request.breaching(ny(*MONDAY, 11))
    services.set_status(request, Status.OPEN, owner, ny(*MONDAY, 10))
    # 15 minutes ran on Friday; the 45 left run from Monday 10:00
    assert request.first_response_due_at == ny(*MONDAY, 10, 45)
    assert request.due_at == ny(*MONDAY, 10, 45)
    assert request.response_paused_minutes == 15 + 60


def test_a_breach_made_before_the_pause_stands(customer, owner):
    request = services.open_request(
        customer=customer,
        subject="Late",
        opened_by=owner,
        now=ny(*MONDAY, 9),
        priority=Priority.URGENT,
    )
    services.set_status(request, Status.WAITING, owner, ny(*MONDAY, 10, 30))
    assert request.breaching(ny(*MONDAY, 11))
    assert request.due_at == ny(*MONDAY, 10)  # the breached deadline keeps it at the top
    services.set_status(request, Status.OPEN, owner, ny(*MONDAY, 12))
    assert request.first_response_due_at == ny(*MONDAY, 10)
    # the resolution clock (due 13:00) was still running when paused: it gets the 90 minutes
    assert request.resolve_due_at == ny(*MONDAY, 14, 30)


def test_a_priority_change_recomputes_from_the_opening_and_keeps_pauses(customer, owner):
    request = services.open_request(
        customer=customer, subject="Noise", opened_by=owner, now=ny(*MONDAY, 9)
    )
    assert request.first_response_due_at == ny(*MONDAY, 13)
    services.set_status(request, Status.WAITING, owner, ny(*MONDAY, 9, 10))
    services.set_status(request, Status.OPEN, owner, ny(*MONDAY, 9, 40))
    services.set_priority(request, Priority.URGENT, owner, ny(*MONDAY, 9, 45))
    assert request.first_response_due_at == ny(*MONDAY, 10, 30)  # 60 + 30 paused
    assert request.resolve_due_at == ny(*MONDAY, 13, 30)
    assert (request.response_target_minutes, request.resolve_target_minutes) == (60, 240)


def test_first_response_and_resolution_met_or_missed(customer, owner):
    request = services.open_request(
        customer=customer,
        subject="Quick",
        opened_by=owner,
        now=ny(*MONDAY, 9),
        priority=Priority.URGENT,
    )
    assert request.first_response_met is None
    services.respond(request, owner, ny(*MONDAY, 9, 50))
    assert request.first_response_met is True
    assert request.due_at == request.resolve_due_at
    services.resolve(request, owner, ny(*MONDAY, 13, 1), "Done")
    assert request.resolution_met is False
    assert request.due_at is None
    assert not request.breaching(ny(*MONDAY, 18))
    qs = type(request).objects
    assert qs.first_response_met().count() == 1 and qs.resolution_met().count() == 0


def test_breaching_is_a_pending_clock_past_due(customer, owner):
    request = services.open_request(
        customer=customer,
        subject="Slow",
        opened_by=owner,
        now=ny(*MONDAY, 9),
        priority=Priority.URGENT,
    )
    assert not request.breaching(ny(*MONDAY, 10))
    assert request.breaching(ny(*MONDAY, 10, 1))
    assert list(type(request).objects.breaching(ny(*MONDAY, 10, 1))) == [request]
    view = services.clock_view(request, ny(*MONDAY, 10, 25))
    assert view is not None and view.breaching and view.text == "breaching by 25 min"
    view = services.clock_view(request, ny(*MONDAY, 9, 15))
    assert view is not None and view.text == "45 min left"


def test_reopening_resumes_the_resolution_clock_where_it_stopped(customer, owner):
    request = services.open_request(
        customer=customer,
        subject="Again",
        opened_by=owner,
        now=ny(*MONDAY, 9),
        priority=Priority.URGENT,
    )
    services.resolve(request, owner, ny(*MONDAY, 10), "Reset it")
    services.reopen(request, owner, ny(2026, 11, 24, 9), "Fault is back")
    # 3 of the 4 hours were left; the resolved time (Mon 10:00–Tue 09:00, 8 business h) is credited
    assert request.resolve_due_at == ny(2026, 11, 24, 12)
    assert request.status == Status.OPEN and request.resolved_at is None


def test_deadlines_follow_the_assignees_time_zone(customer, owner):
    owner.time_zone = "Europe/London"
    owner.save()
    request = services.open_request(
        customer=customer,
        subject="Abroad",
        opened_by=owner,
        now=dt.datetime(2026, 11, 20, 17, 30, tzinfo=dt.UTC),
        priority=Priority.URGENT,
    )
    # 17:30 in London on a Friday: 30 minutes that day, 30 more on Monday from 09:00 London
    assert request.first_response_due_at == dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)
