"""The demo's service requests: about twenty, with one breaching, one waiting, and a went-wrong one
resolved with its story; every open one on its rep's Today."""

from __future__ import annotations

import random

import pytest

from extramile.agenda.models import Action, ActionStatus
from extramile.service import demo
from extramile.service.models import ServiceRequest, Status
from tests.conftest import NOW, make_customer

pytestmark = pytest.mark.django_db


def test_populate(owner, colleague):
    for n in range(30):
        make_customer(owner if n % 2 else colleague, f"Person{n}", "Demo")
    created = demo.populate(NOW, random.Random(7))
    requests = ServiceRequest.objects.all()
    assert created == requests.count() == 20
    assert requests.breaching(NOW).count() >= 1
    assert requests.filter(status=Status.WAITING).count() == 1
    story = requests.get(went_wrong=True)
    assert story.status == Status.RESOLVED and story.story
    open_ids = set(requests.pending().values_list("pk", flat=True))
    keys = {f"service:{pk}" for pk in open_ids}
    assert (
        set(
            Action.objects.filter(status=ActionStatus.OPEN, kind="service").values_list(
                "key", flat=True
            )
        )
        == keys
    )


def test_populate_with_an_empty_book(company):
    assert demo.populate(NOW, random.Random(7)) == 0
