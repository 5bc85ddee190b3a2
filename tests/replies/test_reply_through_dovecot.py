"""End to end: a customer's e-mail arrives in the rep's mailbox on a real Dovecot, the mailbox
sync logs it, the rep answers it on Today, and the outbox sends one mail to a real SMTP server
(aiosmtpd) with In-Reply-To and References naming the customer's message; the clock stops at the
moment the rep sent it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from extramile.agenda.models import Action, ActionStatus
from extramile.book.services import add_email
from extramile.inbox.models import InboundMessage, Source
from extramile.mailsync.poll import poll
from extramile.outbox.sending import send_batch
from tests.conftest import NOW, PASSWORD
from tests.mailsync.conftest import mail

pytestmark = pytest.mark.django_db

ARRIVED = NOW + dt.timedelta(minutes=10)  # Monday 09:40 in New York
POLLED = NOW + dt.timedelta(minutes=12)
SENT = NOW + dt.timedelta(minutes=25)


@pytest.mark.time_machine(SENT, tick=False)
def test_an_email_reply_to_a_synced_message_is_threaded_and_stops_the_clock(
    client, owner, customer, mailbox, connect, smtp
):
    owner.first_name, owner.last_name = "Olivia", "Reed"
    owner.save()
    add_email(customer, "anna@example.com")
    connection = connect(owner, at=NOW)
    mailbox.put(
        "INBOX",
        mail(
            subject="The brakes squeak again",
            message_id="<q2@mail.example.com>",
            headers={"References": "<q0@mail.example.com> <q1@mail.example.com>"},
        ),
        ARRIVED,
    )
    poll(connection, POLLED)
    message = InboundMessage.objects.get()
    assert message.source == Source.MAILBOX and message.replied_at is None

    assert client.login(username="olivia", password=PASSWORD)
    response = client.post(
        reverse("inbox-answer", args=[message.pk]),
        {"channel": "email", "text": "It is booked in for Thursday at 9.", "row": "today"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "E-mail queued" in response.content.decode()

    summary = send_batch(SENT)
    assert summary.sent == 1
    assert len(smtp.received) == 1
    sent = smtp.received[0]
    assert sent["To"] == "anna@example.com"
    assert sent["Subject"] == "Re: The brakes squeak again"
    assert sent["In-Reply-To"] == "<q2@mail.example.com>"
    assert sent["References"].split() == [
        "<q0@mail.example.com>",
        "<q1@mail.example.com>",
        "<q2@mail.example.com>",
    ]
    assert "Olivia Reed via Harbour Motors" in sent["From"]
    assert sent["Reply-To"] == "olivia@example.com"
    assert "It is booked in for Thursday at 9." in sent.get_body(("plain",)).get_content()

    message.refresh_from_db()
    assert message.replied_at == SENT and message.replied_by == owner
    assert message.response_minutes == 15 and not message.breached
    assert Action.objects.get(key=message.action_key).status == ActionStatus.DONE
    # Nothing more to send.
    assert send_batch(SENT + dt.timedelta(minutes=1)).sent == 0
    assert len(smtp.received) == 1
