"""Mailbox sync against a real Dovecot on loopback: customers' mail starts reply clocks, replies
in Sent stop them, and nothing is counted twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection as db

from extramile.agenda.models import Action, ActionStatus
from extramile.book.services import add_email
from extramile.inbox.models import Channel, InboundMessage, Source
from extramile.mailsync import crypto
from extramile.mailsync.models import MailboxConnection, Outcome, SeenMessage
from extramile.mailsync.poll import poll, poll_due
from tests.conftest import NOW, make_customer
from tests.mailsync.conftest import IMAP_PASSWORD, mail

pytestmark = pytest.mark.django_db

ARRIVED = NOW + dt.timedelta(minutes=10)  # Monday 09:40 in New York: business hours
LATER = NOW + dt.timedelta(minutes=30)


@pytest.fixture
def anna(customer):
    add_email(customer, "anna@example.com")
    return customer


def run(connection, at=LATER):
    return poll(connection, at)  # the same object each time: poll reads the stored state itself


def test_a_customers_mail_becomes_an_inbound_message_with_its_deadline(
    owner, anna, mailbox, connect
):
    connection = connect(owner)
    mailbox.put("INBOX", mail(sender="Anna Smith <ANNA@Example.COM>"), ARRIVED)

    result = run(connection)

    message = InboundMessage.objects.get()
    assert message.channel == Channel.EMAIL and message.source == Source.MAILBOX
    assert message.customer == anna and message.owner == owner
    assert message.received_at == ARRIVED
    assert message.reply_due_at == ARRIVED + dt.timedelta(minutes=60)
    assert message.summary.startswith("The brakes squeak again\n\nCould you call me back")
    assert message.from_name == "Anna Smith"
    action = Action.objects.get(key=message.action_key)
    assert action.owner == owner and action.status == ActionStatus.OPEN
    assert result.ok and result.outcomes["inbox"][Outcome.INBOUND] == 1
    # Read without marking it read: the rep still sees it as new in their mail program.
    assert b"\\Seen" not in b" ".join(mailbox.flags("INBOX"))


def test_the_reply_in_sent_stops_the_clock_at_the_time_it_was_sent(owner, anna, mailbox, connect):
    connection = connect(owner)
    mailbox.put("INBOX", mail(message_id="<q1@example.com>"), ARRIVED)
    run(connection)
    replied = ARRIVED + dt.timedelta(minutes=25)
    mailbox.put(
        "Sent",
        mail(
            sender="Olivia <olivia@harbour.example>",
            to="anna@example.com",
            subject="Re: The brakes squeak again",
            date=replied,
            message_id="<r1@harbour.example>",
            headers={"In-Reply-To": "<q1@example.com>", "References": "<q1@example.com>"},
        ),
        replied + dt.timedelta(seconds=3),
    )

    result = run(connection, LATER + dt.timedelta(minutes=30))

    message = InboundMessage.objects.get()
    assert message.replied_at == replied and message.replied_by == owner
    assert message.response_minutes == 25 and not message.breached
    assert Action.objects.get(key=message.action_key).status == ActionStatus.DONE
    assert result.clocks_stopped == 1
    anna.refresh_from_db()
    assert anna.last_contact_at == replied


def test_a_reply_without_in_reply_to_counts_when_sent_to_the_customer_afterwards(
    owner, anna, mailbox, connect
):
    connection = connect(owner)
    mailbox.put("INBOX", mail(message_id="<q2@example.com>"), ARRIVED)
    # Written before the customer's mail arrived: not an answer to it.
    earlier = mail(
        to="anna@example.com", date=ARRIVED - dt.timedelta(minutes=5), message_id="<s0@h>"
    )
    mailbox.put("Sent", earlier, ARRIVED - dt.timedelta(minutes=5))
    run(connection)
    assert InboundMessage.objects.get().replied_at is None

    answer_at = ARRIVED + dt.timedelta(minutes=90)  # 11:10 in New York: late
    mailbox.put(
        "Sent",
        mail(to="Anna <Anna@example.com>", subject="Your car", date=answer_at, message_id="<s1@h>"),
        answer_at,
    )
    run(connection, answer_at + dt.timedelta(minutes=5))

    message = InboundMessage.objects.get()
    assert message.replied_at == answer_at and message.breached
    assert message.response_minutes == 90


def test_a_second_poll_adds_nothing(owner, anna, mailbox, connect):
    connection = connect(owner)
    mailbox.put("INBOX", mail(message_id="<q3@example.com>"), ARRIVED)
    run(connection)
    again = run(connection, LATER + dt.timedelta(minutes=5))

    assert InboundMessage.objects.count() == 1
    assert Action.objects.filter(key__startswith="reply:").count() == 1
    assert sum(again.outcomes["inbox"].values()) == 0
    assert "INBOX: nothing new" in again.describe()


def test_a_new_uidvalidity_reads_the_folder_again_without_duplicates(owner, anna, mailbox, connect):
    connection = connect(owner)
    for n in (1, 2):
        mailbox.put(
            "INBOX",
            mail(
                sender=f"News <news{n}@shop.example>",
                subject=f"Sale {n}",
                message_id=f"<n{n}@shop.example>",
            ),
            ARRIVED,
        )
    mailbox.put("INBOX", mail(message_id="<q4@example.com>"), ARRIVED + dt.timedelta(minutes=1))
    run(connection)
    connection.refresh_from_db()
    assert connection.inbox_last_uid == 3

    # The server rebuilds its index: Anna's mail is UID 1 now and her next mail UID 2, below
    # the last UID seen before.
    for n in (1, 2):
        mailbox.server.expunge(mailbox.username, "INBOX", f"Sale {n}")
    mailbox.server.reset_uidvalidity(mailbox.username, "INBOX", 4242)
    mailbox.put("INBOX", mail(subject="And the wipers", message_id="<q5@example.com>"), LATER)

    result = run(connection, LATER + dt.timedelta(minutes=5))

    assert result.renumbered == ["INBOX"]
    assert sorted(InboundMessage.objects.values_list("summary", flat=True)) == [
        "And the wipers\n\nCould you call me back about the car?",
        "The brakes squeak again\n\nCould you call me back about the car?",
    ]
    connection.refresh_from_db()
    assert connection.inbox_uidvalidity == 4242 and connection.inbox_last_uid == 2


def test_mail_from_strangers_is_ignored(owner, anna, mailbox, connect):
    connection = connect(owner)
    mailbox.put(
        "INBOX", mail(sender="Someone <someone@elsewhere.example>", message_id="<x@e>"), ARRIVED
    )

    result = run(connection)

    assert not InboundMessage.objects.exists()
    seen = SeenMessage.objects.get()
    assert seen.outcome == Outcome.UNKNOWN and seen.address == "someone@elsewhere.example"
    assert result.outcomes["inbox"][Outcome.UNKNOWN] == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"List-Id": "Anna's club <club.example.com>"},
        {"X-Autoreply": "yes"},
    ],
)
def test_automatic_and_bulk_mail_from_a_customer_is_ignored(owner, anna, mailbox, connect, headers):
    connection = connect(owner)
    mailbox.put("INBOX", mail(headers=headers, message_id="<auto@example.com>"), ARRIVED)

    result = run(connection)

    assert not InboundMessage.objects.exists()
    assert result.outcomes["inbox"][Outcome.AUTOMATIC] == 1


def test_an_auto_reply_in_sent_does_not_stop_a_clock(owner, anna, mailbox, connect):
    connection = connect(owner)
    mailbox.put("INBOX", mail(message_id="<q6@example.com>"), ARRIVED)
    mailbox.put(
        "Sent",
        mail(
            to="anna@example.com",
            subject="Out of office",
            date=ARRIVED + dt.timedelta(minutes=1),
            message_id="<ooo@h>",
            headers={"Auto-Submitted": "auto-replied", "In-Reply-To": "<q6@example.com>"},
        ),
        ARRIVED + dt.timedelta(minutes=1),
    )
    run(connection)
    assert InboundMessage.objects.get().replied_at is None


BROKEN = (
    b"From: =?x-no-such-charset?q?Anna_=E9?= <anna@example.com>\r\n"
    b"To: olivia@harbour.example\r\n"
    b"Subject: =?utf-8?b?broken base64!?= caf\xe9 \xff\r\n"
    b"Message-ID: <broken@example.com>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=x-bogus\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n"
    b"\r\n"
    b"Caf\xe9 cr\xe8me \x00 and \xff\xfe bytes\r\n"
)


def test_broken_encodings_do_not_stop_the_poll(owner, anna, colleague, mailbox, connect):
    connection = connect(owner)
    mailbox.put("INBOX", BROKEN, ARRIVED)
    mailbox.put("INBOX", mail(message_id="<fine@example.com>", subject="Fine"), ARRIVED)

    result = run(connection)

    assert result.ok
    messages = list(InboundMessage.objects.order_by("id"))
    assert len(messages) == 2
    broken = messages[0]
    assert broken.customer == anna and "caf" in broken.summary.lower()
    assert "\x00" not in broken.summary
    assert messages[1].summary.startswith("Fine")


def test_mail_from_before_the_connection_is_not_read(owner, anna, mailbox, connect):
    mailbox.put("INBOX", mail(message_id="<old@example.com>"), NOW - dt.timedelta(hours=3))
    connection = connect(owner)
    mailbox.put("INBOX", mail(message_id="<new@example.com>", subject="New"), ARRIVED)

    run(connection)

    assert list(InboundMessage.objects.values_list("summary", flat=True)) == [
        "New\n\nCould you call me back about the car?"
    ]


def test_a_refused_password_is_recorded_and_the_mailbox_paused(owner, anna, mailbox, connect):
    connection = connect(owner)
    # The password was changed with the mail provider, not here.
    MailboxConnection.objects.filter(pk=connection.pk).update(
        password_encrypted=crypto.encrypt("the old password")
    )

    result = run(connection)

    connection.refresh_from_db()
    assert not result.ok and "refused the username or password" in result.error
    assert connection.paused and "refused the username or password" in connection.last_error
    assert connection.last_error_at == LATER
    # Paused: the worker does not knock again (and lock the account) until it is saved again.
    assert poll_due(LATER + dt.timedelta(hours=1)) == []


def test_the_password_is_not_stored_in_clear(owner, mailbox, connect):
    connection = connect(owner)
    with db.cursor() as cursor:
        cursor.execute("SELECT * FROM mailsync_mailboxconnection WHERE id = %s", [connection.pk])
        row = cursor.fetchone()
    assert not any(IMAP_PASSWORD in str(value) for value in row)
    assert crypto.decrypt(connection.password_encrypted) == IMAP_PASSWORD


def test_a_rep_never_gets_another_reps_customer(
    owner, anna, colleague, outsider, manager, dovecot_server, connect
):
    from tests.mailsync.conftest import Mailbox

    carl = make_customer(colleague, "Carl", "Jones")
    add_email(carl, "carl@example.com")
    xena = make_customer(outsider, "Xena", "Outis")
    add_email(xena, "xena@example.com")
    rep_box = Mailbox(dovecot_server)
    manager_box = Mailbox(dovecot_server)
    rep = connect(owner, box=rep_box)
    boss = connect(manager, box=manager_box)
    for box in (rep_box, manager_box):
        box.put("INBOX", mail(sender="carl@example.com", message_id="<c@x>"), ARRIVED)
        box.put("INBOX", mail(sender="xena@example.com", message_id="<x@x>"), ARRIVED)

    run(rep)
    assert not InboundMessage.objects.exists()  # the colleague's and the other team's: not hers
    run(boss)
    message = InboundMessage.objects.get()  # the manager sees the team's book, not the other team's
    assert message.customer == carl and message.owner == colleague


def test_the_same_mail_in_two_mailboxes_is_one_message(
    owner, anna, manager, dovecot_server, connect
):
    from tests.mailsync.conftest import Mailbox

    boxes = [Mailbox(dovecot_server), Mailbox(dovecot_server)]
    rep = connect(owner, box=boxes[0])
    boss = connect(manager, box=boxes[1])
    for box in boxes:
        box.put("INBOX", mail(message_id="<cc@example.com>"), ARRIVED)
    run(rep)
    run(boss)
    assert InboundMessage.objects.count() == 1
    assert SeenMessage.objects.get(user=manager).outcome == Outcome.SHARED


def test_one_message_that_fails_does_not_stop_the_others(
    owner, anna, mailbox, connect, monkeypatch
):
    from extramile.mailsync import poll as poll_module

    summary = poll_module.parse.summary

    def fails_on_boom(message, *args, **kwargs):
        if "Boom" in str(message["Subject"]):
            raise RuntimeError("cannot summarise this one")
        return summary(message, *args, **kwargs)

    monkeypatch.setattr(poll_module.parse, "summary", fails_on_boom)
    connection = connect(owner)
    mailbox.put("INBOX", mail(subject="Boom", message_id="<boom@example.com>"), ARRIVED)
    mailbox.put("INBOX", mail(subject="Fine", message_id="<fine2@example.com>"), ARRIVED)

    result = run(connection)

    assert result.ok
    assert result.outcomes["inbox"] == {Outcome.UNREADABLE: 1, Outcome.INBOUND: 1}
    assert [m.summary.split("\n")[0] for m in InboundMessage.objects.all()] == ["Fine"]
    assert Action.objects.filter(key__startswith="reply:").count() == 1  # nothing half-written
    unreadable = SeenMessage.objects.get(outcome=Outcome.UNREADABLE)
    assert "cannot summarise this one" in unreadable.note


def test_two_polls_of_one_mailbox_do_not_run_at_once(owner, anna, mailbox, connect):
    connection = connect(owner)
    mailbox.put("INBOX", mail(message_id="<claim@example.com>"), ARRIVED)
    MailboxConnection.objects.filter(pk=connection.pk).update(polling_since=LATER)

    busy = run(connection, LATER + dt.timedelta(minutes=1))
    assert busy.skipped == "another poll of this mailbox is running"
    assert not InboundMessage.objects.exists()

    # A worker that died mid-poll lets go after 15 minutes.
    taken_over = run(connection, LATER + dt.timedelta(minutes=16))
    assert taken_over.ok and InboundMessage.objects.count() == 1
    connection.refresh_from_db()
    assert connection.polling_since is None
