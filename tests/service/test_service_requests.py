"""A request's life: events on the timeline, its action on Today kept in step, the first response
counted as a contact, clear refusals, and double submits that change nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from extramile.agenda import engine
from extramile.agenda import services as agenda
from extramile.agenda.models import Action, ActionStatus
from extramile.agenda.models import Priority as AgendaPriority
from extramile.book.models import Contact, ContactChannel
from extramile.service import services
from extramile.service.models import EventKind, Priority, ServiceRequest, Status
from tests.conftest import NOW
from tests.service.conftest import ny

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_(customer, owner) -> ServiceRequest:
    return services.open_request(
        customer=customer,
        subject="Warning light",
        opened_by=owner,
        now=NOW,
        details="Orange light since Sunday",
        priority=Priority.HIGH,
    )


def kinds(request: ServiceRequest) -> list[str]:
    return list(request.events.values_list("kind", flat=True))


def action(request: ServiceRequest) -> Action:
    return Action.objects.get(key=f"service:{request.pk}")


def test_opening_puts_it_on_the_assignees_today(request_, owner):
    row = action(request_)
    assert row.kind == "service" and row.priority == AgendaPriority.SERVICE
    assert row.owner == owner and row.customer == request_.customer
    assert row.title == "Service (high): Warning light — Anna Smith"
    assert row.due_on == ny(2026, 11, 23, 9).date()
    assert row.due_at == request_.first_response_due_at
    assert "First response due Mon 23 Nov 11:30" in row.detail
    assert list(agenda.today(owner, NOW.date())) == [row]
    assert kinds(request_) == [EventKind.OPENED]
    assert request_.status == Status.NEW and request_.assignee == owner


def test_the_first_response_is_a_contact_and_opens_the_request(request_, owner, customer):
    services.respond(request_, owner, NOW, "Booked it in for Wednesday")
    request_.refresh_from_db()
    assert request_.status == Status.OPEN and request_.first_response_at == NOW
    contact = Contact.objects.get(customer=customer)
    assert contact.channel == ContactChannel.REPLY and "Booked it in" in contact.summary
    customer.refresh_from_db()
    assert customer.last_contact_at == NOW
    assert action(request_).due_at == request_.resolve_due_at
    with pytest.raises(ValidationError, match="recorded already"):
        services.respond(request_, owner, NOW, "again")
    assert Contact.objects.count() == 1
    assert kinds(request_) == [EventKind.OPENED, EventKind.FIRST_RESPONSE]


def test_every_change_writes_the_timeline(request_, owner, manager):
    services.add_note(request_, owner, NOW, "Called the workshop")
    services.set_status(request_, Status.WAITING, owner, NOW)
    services.set_status(request_, Status.OPEN, owner, NOW)
    services.set_priority(request_, Priority.URGENT, owner, NOW)
    services.reassign(request_, manager, owner, NOW)
    services.resolve(request_, manager, NOW, "Replaced the sensor")
    services.reopen(request_, owner, NOW, "Light is back")
    assert kinds(request_) == [
        EventKind.OPENED,
        EventKind.NOTE,
        EventKind.STATUS,
        EventKind.STATUS,
        EventKind.PRIORITY,
        EventKind.REASSIGNED,
        EventKind.RESOLVED,
        EventKind.REOPENED,
    ]
    texts = list(request_.events.values_list("text", flat=True))
    assert "New → Waiting on customer" in texts and "High → Urgent" in texts


def test_the_action_moves_on_reassignment_closes_on_resolve_and_reopens(request_, owner, manager):
    services.reassign(request_, manager, owner, NOW)
    assert action(request_).owner == manager
    assert not agenda.today(owner, NOW.date()).exists()
    services.resolve(request_, manager, NOW, "Replaced the sensor")
    row = action(request_)
    assert row.status == ActionStatus.DONE and row.outcome == "Replaced the sensor"
    assert row.completed_at == NOW
    services.reopen(request_, manager, NOW)
    assert action(request_).status == ActionStatus.OPEN
    assert Action.objects.filter(kind="service").count() == 1


def test_resolving_twice_is_harmless(request_, owner):
    services.resolve(request_, owner, NOW, "Fixed")
    stale = ServiceRequest.objects.get(pk=request_.pk)
    with pytest.raises(ValidationError, match="resolved already"):
        services.resolve(stale, owner, NOW, "Fixed again")
    request_.refresh_from_db()
    assert request_.resolution == "Fixed"
    assert kinds(request_).count(EventKind.RESOLVED) == 1


def test_a_stale_copy_cannot_overwrite_a_resolution(request_, owner):
    """Two tabs: the second one's status change must not undo the first one's resolve."""
    other_tab = ServiceRequest.objects.get(pk=request_.pk)
    services.resolve(request_, owner, NOW, "Fixed")
    with pytest.raises(ValidationError, match="resolved"):
        services.set_status(other_tab, Status.WAITING, owner, NOW)
    assert ServiceRequest.objects.get(pk=request_.pk).status == Status.RESOLVED


def test_a_went_wrong_request_needs_its_story(customer, owner):
    request = services.open_request(
        customer=customer, subject="Wrong part fitted", opened_by=owner, now=NOW, went_wrong=True
    )
    with pytest.raises(ValidationError, match="extra-mile story"):
        services.resolve(request, owner, NOW, "Fitted the right one")
    assert ServiceRequest.objects.get(pk=request.pk).is_open
    services.resolve(request, owner, NOW, "Fitted the right one", story="Drove it over at 7 pm.")
    request.refresh_from_db()
    assert request.story == "Drove it over at 7 pm." and request.status == Status.RESOLVED


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r, u: services.resolve(r, u, NOW, "  "), "Say how it was resolved"),
        (lambda r, u: services.add_note(r, u, NOW, ""), "Write the note"),
        (lambda r, u: services.set_status(r, "resolved", u, NOW), "resolve form"),
        (lambda r, u: services.set_status(r, "new", u, NOW), "open or waiting"),
        (lambda r, u: services.set_priority(r, "asap", u, NOW), "not a priority"),
        (lambda r, u: services.set_priority(r, "high", u, NOW), "already high"),
        (lambda r, u: services.reassign(r, u, u, NOW), "already assigned"),
    ],
)
def test_refusals_say_why(request_, owner, change, message):
    with pytest.raises(ValidationError, match=message):
        change(request_, owner)


def test_opening_refuses_a_blank_subject_or_an_assignee_who_cannot_see_the_customer(
    customer, owner, colleague, outsider
):
    with pytest.raises(ValidationError, match="subject"):
        services.open_request(customer=customer, subject="  ", opened_by=owner, now=NOW)
    for stranger in (colleague, outsider):
        with pytest.raises(ValidationError, match="cannot see Anna Smith"):
            services.open_request(
                customer=customer, subject="x", opened_by=owner, now=NOW, assignee=stranger
            )
    assert not ServiceRequest.objects.exists()


def test_only_the_rep_their_manager_and_admins_can_take_it(
    customer, owner, manager, admin_user, colleague, outsider
):
    assert set(services.assignable_users(customer)) == {owner, manager, admin_user}


def test_done_on_today_does_not_resolve_it(request_):
    row = action(request_)
    with pytest.raises(ValidationError, match="Resolve"):
        agenda.complete(row, NOW, "done")
    assert action(request_).status == ActionStatus.OPEN
    assert ServiceRequest.objects.get(pk=request_.pk).is_open


def test_the_nightly_plan_refreshes_the_wording_but_keeps_the_state(request_, owner):
    Action.objects.filter(key=f"service:{request_.pk}").update(detail="stale")
    later = ny(2026, 11, 24, 8)
    engine.plan(later.date(), later, owners=type(owner).objects.filter(pk=owner.pk))
    row = action(request_)
    assert "target is breached" in row.detail and row.status == ActionStatus.OPEN
