"""Today's order: service requests (breaching first), replies owed, overdue promises, thank-you
notes, cards, calls, then the rest — whatever order the work arrived in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from extramile.agenda import services
from extramile.agenda.actions import put_many
from extramile.agenda.models import Action, ActionStatus, Priority
from extramile.agenda.registry import ActionSpec
from extramile.book.models import Contact
from extramile.book.services import record_contact
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 23)


def spec(owner, key, kind, priority, due_on=DAY, due_at=None):
    return ActionSpec(
        key=key,
        kind=kind,
        owner_id=owner.pk,
        title=key,
        due_on=due_on,
        priority=priority,
        due_at=due_at,
    )


def test_today_puts_service_first_then_replies_promises_notes_cards_calls(owner):
    earlier = NOW - dt.timedelta(hours=1)
    later = NOW + dt.timedelta(hours=3)
    arrivals = [
        spec(owner, "later-promise", "promise", Priority.HIGH),
        spec(owner, "call", "call", Priority.CALL),
        spec(owner, "cards", "cards", Priority.CARDS, due_on=DAY - dt.timedelta(days=2)),
        spec(owner, "thanks", "thank_you", Priority.THANK_YOU),
        spec(owner, "overdue-promise", "promise", Priority.PROMISE),
        spec(owner, "reply", "reply", Priority.REPLY, due_at=later),
        spec(owner, "service-open", "service", Priority.SERVICE, due_at=later),
        spec(owner, "service-breaching", "service", Priority.SERVICE, due_at=earlier),
    ]
    put_many(arrivals, NOW)
    assert [action.key for action in services.today(owner, DAY)] == [
        "service-breaching",
        "service-open",
        "reply",
        "overdue-promise",
        "thanks",
        "cards",
        "call",
        "later-promise",
    ]


def test_replies_owed_are_ordered_by_deadline(owner):
    put_many(
        [
            spec(
                owner,
                f"reply-{minutes}",
                "reply",
                Priority.REPLY,
                due_at=NOW + dt.timedelta(minutes=minutes),
            )
            for minutes in (50, -5, 20)
        ],
        NOW,
    )
    keys = [action.key for action in services.today(owner, DAY)]
    assert keys == ["reply--5", "reply-20", "reply-50"]


def test_a_contact_moves_the_last_contact_forward_never_back(customer, owner):
    assert customer.last_contact_at is None
    record_contact(customer, NOW, "call", owner, "All fine with the car")
    assert customer.last_contact_at == NOW
    # A call logged late, for last week, is history but not the latest contact.
    record_contact(customer, NOW - dt.timedelta(days=7), "meeting", owner)
    customer.refresh_from_db()
    assert customer.last_contact_at == NOW
    assert Contact.objects.filter(customer=customer).count() == 2
    with pytest.raises(ValidationError, match="not a kind of contact"):
        record_contact(customer, NOW, "card", owner)
    assert Contact.objects.filter(customer=customer).count() == 2
    assert not Action.objects.filter(status=ActionStatus.OPEN).exists()


def test_a_value_adding_extra_is_done_only_with_how_it_adds_value(owner, customer):
    put_many(
        [
            ActionSpec(
                key="lunch:1",
                kind="lunch",
                owner_id=owner.pk,
                customer_id=customer.pk,
                title="Invite Anna to lunch",
                due_on=DAY,
                priority=Priority.NORMAL,
            )
        ],
        NOW,
    )
    lunch = Action.objects.get(key="lunch:1")
    with pytest.raises(ValidationError, match="How will this create more value"):
        services.complete(lunch, NOW, value_answer="  ")
    assert Action.objects.get(key="lunch:1").status == ActionStatus.OPEN
    done = services.complete(lunch, NOW, value_answer="Hear how the new fleet plan is going")
    assert (done.status, done.value_answer) == (
        ActionStatus.DONE,
        "Hear how the new fleet plan is going",
    )


def test_extras_wait_while_a_promise_is_overdue(customer):
    from extramile.book.expectations import held_back, hold_back_reason
    from extramile.book.models import Customer, Promise

    assert hold_back_reason(customer, DAY) == ""
    Promise.objects.create(customer=customer, description="Send the brochure", due_on=DAY)
    assert hold_back_reason(customer, DAY) == ""  # due today: not overdue yet
    later = DAY + dt.timedelta(days=1)
    assert "Send the brochure" in hold_back_reason(customer, later)
    assert not Customer.objects.exclude(pk__in=held_back(later)).filter(pk=customer.pk).exists()
