"""Replies owed: the action on Today, matching moves it, marking replied records the response
time and breaches, figures, duplicates and the bulk path."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from extramile.agenda import engine
from extramile.agenda import services as agenda
from extramile.agenda.models import Action, ActionStatus, Priority
from extramile.book.models import Contact, PhoneNumber
from extramile.inbox.bulk import InboundRow, log_many
from extramile.inbox.figures import figures_by_owner, reply_figures
from extramile.inbox.models import InboundMessage
from extramile.inbox.services import (
    AlreadyReplied,
    create_customer,
    flag_overdue,
    log_inbound,
    mark_replied,
    match,
)
from tests.conftest import NOW, make_customer
from tests.inbox.helpers import MORNING, log

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def anna(customer):
    PhoneNumber.objects.create(customer=customer, number="+12125550100")
    return customer


def test_a_matched_message_puts_a_reply_on_the_owners_today(anna, owner):
    message = log("voicemail", "212 555 0100").message
    action = Action.objects.get(key=f"reply:{message.pk}")
    assert action.owner == owner and action.customer == anna
    assert action.title == "Reply to Anna Smith (voicemail)"
    assert action.priority == Priority.REPLY
    assert action.due_at == message.reply_due_at == MORNING + 60 * MINUTE
    assert action.due_on == dt.date(2026, 11, 23)
    assert list(agenda.today(owner, dt.date(2026, 11, 23))) == [action]


def test_an_unassigned_message_has_no_action(company):
    log("text", "+1 212 555 0199")
    assert not Action.objects.exists()


def test_matching_moves_the_reply_to_the_customers_owner(
    owner, colleague, manager, colleague_customer
):
    message = log("call", "+1 212 555 0199", owner=owner, from_name="Carl").message
    assert Action.objects.get(key=f"reply:{message.pk}").owner == owner
    match(message, colleague_customer, manager, NOW)
    message.refresh_from_db()
    assert message.customer == colleague_customer and message.owner == colleague
    action = Action.objects.get(key=f"reply:{message.pk}")
    assert action.owner == colleague and action.title == "Reply to Carl Jones (call)"
    assert message.reply_due_at == MORNING + 60 * MINUTE  # the clock started on arrival


def test_an_unassigned_message_matched_gets_its_action(manager, customer):
    message = log("text", "+1 212 555 0199").message
    match(message, customer, manager, NOW)
    assert Action.objects.get(key=f"reply:{message.pk}").owner == customer.owner


def test_nobody_matches_to_a_customer_they_cannot_see(owner, outsider_customer):
    message = log("call", "+1 212 555 0199", owner=owner).message
    with pytest.raises(ValidationError, match="cannot see"):
        match(message, outsider_customer, owner, NOW)


def test_a_new_customer_from_an_unmatched_message(owner):
    message = log("email", "Dana.Lee@Example.com", owner=owner, from_name="Dana Lee").message
    dana = create_customer(message, owner, NOW, first_name="Dana", last_name="Lee")
    assert dana.owner == owner
    assert list(dana.emails.values_list("address", flat=True)) == ["Dana.Lee@example.com"]
    message.refresh_from_db()
    assert message.customer == dana
    # The next e-mail from her is matched at once.
    assert log("email", "dana.lee@example.com").message.customer == dana


def test_a_new_customer_needs_a_name(owner):
    message = log("call", "+1 212 555 0199", owner=owner).message
    with pytest.raises(ValidationError, match="name"):
        create_customer(message, owner, NOW)


def test_a_reply_within_the_hour(anna, owner):
    message = log("call", "212 555 0100").message
    mark_replied(message, owner, MORNING + 23 * MINUTE)
    message.refresh_from_db()
    assert message.response_minutes == 23 and not message.breached
    assert message.replied_by == owner
    action = Action.objects.get(key=f"reply:{message.pk}")
    assert action.status == ActionStatus.DONE
    # A reply is a real contact: the call rotation counts it.
    contact = Contact.objects.get(customer=anna)
    assert contact.channel == "reply" and contact.at == MORNING + 23 * MINUTE
    anna.refresh_from_db()
    assert anna.last_contact_at == MORNING + 23 * MINUTE


def test_a_reply_after_the_deadline_is_a_breach(anna, owner):
    # Friday 17:55 New York; replied Monday 10:10: 5 + 70 business minutes.
    friday = dt.datetime(2026, 11, 20, 22, 55, tzinfo=dt.UTC)
    message = log("call", "212 555 0100", at=friday).message
    monday = dt.datetime(2026, 11, 23, 15, 10, tzinfo=dt.UTC)
    mark_replied(message, owner, monday)
    message.refresh_from_db()
    assert message.response_minutes == 75 and message.breached
    assert "late" in Action.objects.get(key=f"reply:{message.pk}").outcome


def test_replying_twice_is_refused_politely(anna, owner):
    message = log("call", "212 555 0100").message
    mark_replied(message, owner, MORNING + MINUTE)
    with pytest.raises(AlreadyReplied, match="replied already"):
        mark_replied(message, owner, MORNING + 2 * MINUTE)


def test_done_on_today_marks_the_message_replied(anna, owner):
    message = log("call", "212 555 0100").message
    action = Action.objects.get(key=f"reply:{message.pk}")
    agenda.complete(action, MORNING + 40 * MINUTE)
    message.refresh_from_db()
    assert message.replied_at == MORNING + 40 * MINUTE and message.response_minutes == 40
    # Undo and Done again on Today: still one reply, no error.
    agenda.complete(agenda.reopen(action, NOW), NOW + MINUTE)
    assert Contact.objects.count() == 1


def test_an_unassigned_message_replied_by_a_manager_becomes_theirs(manager):
    message = log("web_form", "someone@example.com").message
    mark_replied(message, manager, MORNING + 5 * MINUTE)
    message.refresh_from_db()
    assert message.owner == manager
    assert Action.objects.get(key=f"reply:{message.pk}").status == ActionStatus.DONE


def test_the_same_external_id_twice_is_one_message(anna):
    first = log("call", "212 555 0100", external_id="pbx-1")
    again = log("call", "212 555 0100", external_id="pbx-1")
    assert first.created and not again.created
    assert again.message.pk == first.message.pk
    assert InboundMessage.objects.count() == 1 and Action.objects.count() == 1


@pytest.mark.parametrize(
    ("at", "says"),
    [
        (dt.datetime(2026, 11, 23, 9, 30), "time zone"),
        (NOW + dt.timedelta(hours=1), "future"),
    ],
)
def test_a_bad_time_is_refused(at, says, company):
    with pytest.raises(ValidationError, match=says):
        log("call", "+1 212 555 0100", at=at)


def test_overdue_unanswered_messages_are_flagged_as_breaches(anna, owner):
    message = log("call", "212 555 0100").message
    assert flag_overdue(MORNING + 59 * MINUTE) == 0
    assert flag_overdue(MORNING + 61 * MINUTE) == 1
    message.refresh_from_db()
    assert message.breached
    # The nightly plan runs the same sweep.
    other = log("call", "212 555 0100", at=MORNING + MINUTE).message
    engine.plan(dt.date(2026, 11, 24), MORNING + 3 * dt.timedelta(hours=1))
    other.refresh_from_db()
    assert other.breached


def test_figures_median_and_share_within(owner, colleague, company):
    def answered(minutes: int, who) -> None:
        message = log_inbound(
            channel="call",
            from_address="+1 212 555 0199",
            received_at=MORNING,
            summary="",
            now=NOW,
            owner=who,
        )
        mark_replied(message, who, MORNING + minutes * MINUTE)

    for minutes in (10, 20, 30, 90):
        answered(minutes, owner)
    answered(45, colleague)
    log("call", "+1 212 555 0198", owner=colleague)  # still open
    at = MORNING + 3 * dt.timedelta(hours=1)
    mine = reply_figures(InboundMessage.objects.filter(owner=owner), at)
    assert mine.answered == 4 and mine.median_minutes == 25
    assert (mine.within, mine.late) == (3, 1) and mine.share_within == 0.75
    team = figures_by_owner(InboundMessage.objects.all(), at)
    # Colleague: 45 in time, and one unanswered past its deadline counts against them.
    assert team[colleague.pk].median_minutes == 45
    assert team[colleague.pk].percent_within == "50%"
    whole = reply_figures(InboundMessage.objects.all(), at)
    assert whole.median_minutes == 30 and whole.judged == 6
    assert reply_figures(InboundMessage.objects.none(), at).share_within is None


def test_many_messages_at_once(anna, owner, colleague):
    make_customer(colleague, "Ben", "Shared").phones.create(number="+12125550100")
    rows = [
        InboundRow("call", "(212) 555-0100", MORNING, "mine", owner_id=owner.pk),
        InboundRow("email", "x@example.com", MORNING, "stranger", external_id="e-1"),
        InboundRow("email", "x@example.com", MORNING, "again", external_id="e-1"),
        InboundRow("text", "+1 212 555 0199", MORNING, "to colin", owner_id=colleague.pk),
    ]
    made = log_many(rows, NOW)
    assert [m.summary for m in made] == ["mine", "stranger", "to colin"]
    assert made[0].customer_id == anna.pk and made[0].owner_id == owner.pk
    assert made[1].owner_id is None
    assert all(m.reply_due_at == MORNING + 60 * MINUTE for m in made)
    keys = set(Action.objects.values_list("key", "owner_id"))
    assert keys == {(f"reply:{made[0].pk}", owner.pk), (f"reply:{made[2].pk}", colleague.pk)}
    assert Action.objects.get(owner=owner).title == "Reply to Anna Smith (call)"
    assert log_many(rows[1:2], NOW) == []  # the external id is known now


def test_a_bad_row_stops_the_whole_load(company):
    rows = [
        InboundRow("call", "+1 212 555 0199", MORNING),
        InboundRow("call", "nonsense", MORNING),
    ]
    with pytest.raises(ValidationError, match="Row 2"):
        log_many(rows, NOW)
    assert not InboundMessage.objects.exists()


def test_demo_messages_are_deterministic(anna, owner):
    from extramile.inbox.demo import create_demo_messages

    assert create_demo_messages(NOW, seed=7, per_rep=10) == 10
    first = sorted(InboundMessage.objects.values_list("received_at", "from_address", "summary"))
    InboundMessage.objects.all().delete()
    Action.objects.all().delete()
    create_demo_messages(NOW, seed=7, per_rep=10)
    assert (
        sorted(InboundMessage.objects.values_list("received_at", "from_address", "summary"))
        == first
    )
