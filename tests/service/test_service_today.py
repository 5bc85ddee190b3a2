"""Service requests sit above everything on Today, breaching ones first."""

from __future__ import annotations

import datetime as dt

import pytest

from extramile.agenda import services as agenda
from extramile.agenda.models import Action, Priority
from extramile.service import services
from extramile.service.models import Priority as ServicePriority
from tests.conftest import NOW, make_customer

pytestmark = pytest.mark.django_db


def test_breaching_then_open_service_then_replies_and_promises(owner, customer):
    ben = make_customer(owner, "Ben", "Brown")
    for kind, priority, key in [
        ("promise", Priority.PROMISE, "promise:1"),
        ("reply", Priority.REPLY, "reply:1"),
    ]:
        Action.objects.create(
            key=key,
            kind=kind,
            owner=owner,
            customer=customer,
            title=key,
            due_on=NOW.date(),
            due_at=NOW - dt.timedelta(days=3),
            priority=priority,
            created_at=NOW,
            updated_at=NOW,
        )
    fresh = services.open_request(
        customer=customer,
        subject="Fresh",
        opened_by=owner,
        now=NOW,
        priority=ServicePriority.URGENT,
    )
    late = services.open_request(
        customer=ben,
        subject="Late",
        opened_by=owner,
        now=NOW - dt.timedelta(days=4),
        priority=ServicePriority.LOW,
    )
    assert late.breaching(NOW) and not fresh.breaching(NOW)
    titles = [a.title for a in agenda.today(owner, NOW.date())]
    assert titles == [
        "Service (low): Late — Ben Brown",
        "Service (urgent): Fresh — Anna Smith",
        "reply:1",
        "promise:1",
    ]
