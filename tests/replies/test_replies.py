"""Replies written in ExtraMile: e-mail through the outbox (threaded), a call back or text logged
by hand; the clock stops at the send; templates filled by restricted substitution only; pages on
Today, the Inbox and the customer page, scoped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from extramile.agenda.models import Action, ActionStatus
from extramile.book.services import add_email
from extramile.inbox.models import Channel, InboundMessage
from extramile.inbox.services import AlreadyReplied, receive
from extramile.outbox.models import OutboxMessage
from extramile.replies import render
from extramile.replies.models import Reply, ReplyTemplate
from extramile.replies.services import draft, remember_thread, save_template, send_reply
from extramile.timeline import timeline
from tests.conftest import NOW, login

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
ARRIVED = NOW - dt.timedelta(minutes=20)  # Monday 09:10 in New York


@pytest.fixture
def message(owner, customer):
    owner.first_name, owner.last_name = "Olivia", "Reed"
    owner.save()
    add_email(customer, "anna@example.com")
    return receive(
        channel=Channel.EMAIL,
        from_address="anna@example.com",
        received_at=ARRIVED,
        summary="Is my car ready?",
        now=ARRIVED,
        owner=owner,
    ).message


def test_fill_replaces_known_fields_only_and_never_reaches_objects(owner, customer, company):
    values = render.values_for(customer, owner, company)
    text = (
        "Hi {first_name}, {{literal}} {customer.owner.password} {0.__class__} {{ user.password }}"
    )
    assert render.fill(text, values) == (
        "Hi Anna, {literal} {customer.owner.password} {0.__class__} { user.password }"
    )
    assert render.fill("{signature}", values).startswith("Olivia")


@pytest.mark.parametrize(
    "text",
    [
        "{customer.owner}",
        "{0.__class__}",
        "{first_name!r}",
        "{first_name:>10}",
        "{unknown}",
        "a { b",
    ],
)
def test_templates_with_anything_but_known_fields_are_refused(text, now):
    with pytest.raises(ValidationError, match="Unknown field"):
        save_template(None, "Bad", "", text, now)
    assert not ReplyTemplate.objects.exists()


def test_a_template_drafts_with_the_customers_name_and_the_reps_signature(message, owner, now):
    template = save_template(
        None, "Ready", "Your {company} car", "Hi {first_name},\nit is ready.\n\n{signature}", now
    )
    subject, text = draft(template, message, owner)
    assert subject == "Your Harbour Motors car"
    assert text == "Hi Anna,\nit is ready.\n\nOlivia Reed\nHarbour Motors\nolivia@example.com"


def test_an_email_reply_goes_through_the_outbox_threaded_and_stops_the_clock(message, owner, now):
    remember_thread(message, "<q1@example.com>", ["a0@example.com"], "Is my car ready?")
    reply = send_reply(message, owner, "email", "Yes, it is ready.", now)
    message.refresh_from_db()
    assert message.replied_at == now and message.replied_by == owner
    assert message.response_minutes == 20 and not message.breached
    assert Action.objects.get(key=message.action_key).status == ActionStatus.DONE
    mail = OutboxMessage.objects.get()
    assert reply.outbox_message == mail and mail.key == f"reply:{message.pk}"
    assert mail.to_address == "anna@example.com" and mail.subject == "Re: Is my car ready?"
    assert mail.headers["In-Reply-To"] == "<q1@example.com>"
    assert mail.headers["References"] == "<a0@example.com> <q1@example.com>"
    assert mail.text.startswith("Yes, it is ready.\n\n-- \nOlivia Reed\nHarbour Motors")
    assert mail.reply_to == "olivia@example.com"
    # Twice: refused, one e-mail.
    with pytest.raises(AlreadyReplied):
        send_reply(message, owner, "email", "Yes, it is ready.", now)
    assert OutboxMessage.objects.count() == 1 and Reply.objects.count() == 1
    entry = next(e for e in timeline.page(message.customer, owner).entries if e.kind == "reply")
    assert entry.text == "Yes, it is ready." and entry.title == "Replied (e-mail), in time"


def test_without_a_thread_the_subject_says_what_it_answers(message, owner, now):
    send_reply(message, owner, "email", "Yes.", now)
    mail = OutboxMessage.objects.get()
    assert mail.subject == "Re: your message to Harbour Motors"
    assert "In-Reply-To" not in mail.headers


def test_a_call_back_is_logged_and_stops_the_clock(message, owner, now):
    send_reply(message, owner, "call", "Told her it is ready at 4.", now)
    message.refresh_from_db()
    assert message.replied_at == now and not OutboxMessage.objects.exists()
    assert Reply.objects.get().text == "Told her it is ready at 4."


def test_refusals_change_nothing(message, owner, customer, now):
    with pytest.raises(ValidationError, match="Write the answer"):
        send_reply(message, owner, "email", "  ", now)
    with pytest.raises(ValidationError, match="NUL"):
        send_reply(message, owner, "call", "Hi\x00", now)
    with pytest.raises(ValidationError, match="NUL"):
        send_reply(message, owner, "email", "Hi", now, subject="a\x00")
    with pytest.raises(ValidationError, match="not a way to reply"):
        send_reply(message, owner, "pigeon", "Hi", now)
    customer.do_not_email = True
    customer.save()
    message.refresh_from_db()
    with pytest.raises(ValidationError, match="does not want e-mail"):
        send_reply(message, owner, "email", "Hi", now)
    message.refresh_from_db()
    assert message.replied_at is None and not Reply.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert Action.objects.get(key=message.action_key).status == ActionStatus.OPEN


def test_reply_from_today_answers_the_row_in_place(client, message, owner):
    action = Action.objects.get(key=message.action_key)
    page = login(client, owner).get(reverse("today")).content.decode()
    assert reverse("inbox-answer", args=[message.pk]) in page
    response = client.post(
        reverse("inbox-answer", args=[message.pk]),
        {"channel": "email", "text": "It is ready.", "row": "today"},
        **HTMX,
    )
    body = response.content.decode()
    assert f'id="action-{action.pk}"' in body and "E-mail queued" in body
    assert InboundMessage.objects.get().replied_at is not None
    again = client.post(
        reverse("inbox-answer", args=[message.pk]),
        {"channel": "email", "text": "It is ready.", "row": "today"},
        **HTMX,
    )
    assert "answered already" in again.content.decode() and "X-Problem" in again
    assert OutboxMessage.objects.count() == 1


def test_reply_from_the_inbox_and_the_customer_page(client, message, owner, customer):
    login(client, owner)
    assert (
        reverse("inbox-answer", args=[message.pk]) in client.get(reverse("inbox")).content.decode()
    )
    page = client.get(reverse("customer", args=[customer.pk])).content.decode()
    assert 'id="owed-replies"' in page and reverse("inbox-answer", args=[message.pk]) in page
    response = client.post(
        reverse("inbox-answer", args=[message.pk]),
        {"channel": "text", "text": "On my way", "next": reverse("customer", args=[customer.pk])},
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "customer", args=[customer.pk]
    )
    page = client.get(reverse("customer", args=[customer.pk])).content.decode()
    assert 'id="owed-replies"' not in page and "On my way" in page  # on the timeline


def test_another_teams_message_is_a_404(client, outsider, message):
    login(client, outsider)
    response = client.post(
        reverse("inbox-answer", args=[message.pk]), {"channel": "call", "text": "x"}
    )
    assert response.status_code == 404
    assert client.get(reverse("inbox-draft", args=[message.pk])).status_code == 404
    assert InboundMessage.objects.get().replied_at is None


def test_the_draft_endpoint_fills_a_template(client, message, owner, now):
    template = save_template(None, "Ready", "", "Hi {first_name}", now)
    response = login(client, owner).get(
        reverse("inbox-draft", args=[message.pk]), {"template": template.pk}, **HTMX
    )
    assert ">Hi Anna</textarea>" in response.content.decode()


def test_only_an_admin_changes_templates(client, owner, admin_user):
    login(client, owner)
    assert client.get(reverse("reply-templates")).status_code == 200
    response = client.post(reverse("reply-templates"), {"name": "X", "body": "Hi"})
    assert response.status_code == 403 and not ReplyTemplate.objects.exists()
    login(client, admin_user)
    response = client.post(reverse("reply-templates"), {"name": "X", "body": "Hi {nope}"})
    assert response.status_code == 422 and "Unknown field {nope}" in response.content.decode()
    response = client.post(reverse("reply-templates"), {"name": "Ready", "body": "Hi {first_name}"})
    assert response.status_code == 302 and ReplyTemplate.objects.get().name == "Ready"
    assert reverse("reply-templates") in client.get(reverse("settings")).content.decode()
