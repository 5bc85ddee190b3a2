"""The demo tells the story: a year of history from a stated model (runtime/history.py), facts that
agree with each other, and Insights' comparison with enough customers on both sides."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Max, Min

from extramile.book.models import Contact, Customer, Sale
from extramile.insights import analytics
from extramile.outreach.models import Call
from extramile.runtime.demo import create_demo
from extramile.runtime.history import chance
from extramile.timeline.timeline import OWNED_ELSEWHERE
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(company):
    return create_demo(customers=400, reps=2, seed=11, password="pw-demo-123", now=NOW)


def test_the_extra_mile_pays_in_the_demo(demo):
    """Customers with 3+ actions done in the year refer and re-buy more than the rest, with
    enough customers on both sides for Insights to show the rates."""
    from extramile.accounts.models import User

    admin = User.objects.get(username="admin")
    cohorts = analytics.cohorts(analytics.book(admin), NOW, 3)
    engaged, rest = cohorts.engaged, cohorts.rest
    assert engaged.referral.enough and rest.referral.enough
    assert engaged.repeat.enough and rest.repeat.enough
    assert engaged.referral.share > rest.referral.share + 0.05
    assert engaged.repeat.share > rest.repeat.share
    assert demo.history_touches > 0


def test_the_model_raises_the_chances_with_each_touch():
    assert chance(0.03, 0.025, 0) == pytest.approx(0.03)
    assert chance(0.03, 0.025, 8) > chance(0.03, 0.025, 1) > chance(0.03, 0.025, 0)


def test_customer_since_is_never_after_the_first_purchase(demo):
    first = dict(
        Sale.objects.values("customer_id")
        .annotate(first=Min("date"))
        .values_list("customer_id", "first")
    )
    since = dict(
        Customer.objects.filter(customer_since__isnull=False).values_list("pk", "customer_since")
    )
    late = [pk for pk, day in since.items() if pk in first and day > first[pk]]
    assert not late


def test_last_contact_is_in_the_history(demo):
    """Every customer's last contact is their newest contact, and History shows it: a call with
    its Call record, a reply with its message or service request, a meal with its invitation, or a meeting or visit
    (contacts History reads directly)."""
    newest = dict(
        Contact.objects.values("customer_id")
        .annotate(at=Max("at"))
        .values_list("customer_id", "at")
    )
    from extramile.inbox.models import InboundMessage
    from extramile.value.models import Invitation

    calls = set(Call.objects.values_list("customer_id", "at"))
    replies = set(
        InboundMessage.objects.filter(replied_at__isnull=False).values_list(
            "customer_id", "replied_at"
        )
    )
    from extramile.service.models import ServiceRequest

    replies |= set(
        ServiceRequest.objects.filter(first_response_at__isnull=False).values_list(
            "customer_id", "first_response_at"
        )
    )
    meals = set(Invitation.objects.filter(status="held").values_list("customer_id", flat=True))
    shown = set(
        Contact.objects.exclude(channel__in=OWNED_ELSEWHERE).values_list("customer_id", "at")
    )
    customers = Customer.objects.filter(last_contact_at__isnull=False)
    assert customers.exists()
    for pk, last in customers.values_list("pk", "last_contact_at"):
        assert newest[pk] == last
        assert (pk, last) in calls | shown | replies or pk in meals, pk
    assert not Customer.objects.filter(
        last_contact_at__isnull=True, contacts__isnull=False
    ).exists()


def test_the_history_stays_in_the_past_year(demo):
    year_ago = NOW - dt.timedelta(days=366)
    assert not Call.objects.filter(at__gt=NOW).exists()
    assert not Call.objects.filter(at__lt=year_ago).exists()
