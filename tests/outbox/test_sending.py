"""Sending the outbox to a real SMTP server: answers recorded, the rate kept, nothing sent twice."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import Counter

from django.core.mail import get_connection

from extramile.outbox import services
from extramile.outbox.models import OutboxMessage, Status
from extramile.outbox.sending import send_batch
from extramile.outbox.unsubscribe import unsubscribe
from tests.conftest import NOW

MINUTE = dt.timedelta(minutes=1)


def queue_many(count, now=NOW, **extra):
    return [
        services.enqueue(
            key=f"other:{i}",
            kind="other",
            to_address=f"r{i}@example.org",
            subject=f"Note {i}",
            text="Hello",
            now=now,
            **extra,
        )
        for i in range(count)
    ]


def statuses():
    return Counter(OutboxMessage.objects.values_list("status", flat=True))


def test_a_batch_sends_everything_queued_and_marks_it_sent(smtp, company):
    queue_many(4)
    summary = send_batch(NOW)
    assert (summary.sent, summary.failed, summary.left) == (4, 0, 0)
    assert sorted(m["To"] for m in smtp.received) == [f"r{i}@example.org" for i in range(4)]
    row = OutboxMessage.objects.get(key="other:0")
    assert row.status == Status.SENT and row.attempts == 1 and row.sent_at >= NOW
    assert send_batch(NOW + MINUTE).sent == 0  # nothing twice
    assert len(smtp.received) == 4


def test_a_refused_recipient_fails_with_the_servers_answer(smtp, company):
    smtp.refuse["r1@example.org"] = "550 5.1.1 <r1@example.org>: mailbox unknown"
    queue_many(3)
    summary = send_batch(NOW)
    assert (summary.sent, summary.failed) == (2, 1)
    failed = OutboxMessage.objects.get(to_address="r1@example.org")
    assert failed.status == Status.FAILED and failed.failed_at is not None
    assert failed.error == "550 5.1.1 <r1@example.org>: mailbox unknown"


def test_a_temporary_refusal_is_tried_again_later(smtp, company):
    smtp.refuse["r0@example.org"] = "452 4.2.2 mailbox full"
    queue_many(1)
    summary = send_batch(NOW)
    assert (summary.sent, summary.failed, summary.deferred, summary.left) == (0, 0, 1, 1)
    row = OutboxMessage.objects.get()
    assert row.status == Status.QUEUED and row.error == "452 4.2.2 mailbox full"
    del smtp.refuse["r0@example.org"]
    assert send_batch(NOW + MINUTE).sent == 1
    assert OutboxMessage.objects.get().attempts == 2


def test_the_rate_limit_sends_so_many_a_minute_and_says_what_is_left(smtp, company):
    company.emails_per_minute = 3
    company.save()
    queue_many(5)
    summary = send_batch(NOW)
    assert (summary.sent, summary.left, summary.rate_limited) == (3, 2, True)
    later = send_batch(NOW + dt.timedelta(seconds=30))
    assert (later.sent, later.left, later.rate_limited) == (0, 2, True)
    rest = send_batch(NOW + MINUTE + dt.timedelta(seconds=5))
    assert (rest.sent, rest.left, rest.rate_limited) == (2, 0, False)
    assert len(smtp.received) == 5


def test_a_limit_sends_no_more_than_asked(smtp, company):
    queue_many(5)
    assert send_batch(NOW, limit=2).sent == 2
    assert statuses() == {Status.SENT: 2, Status.QUEUED: 3}


def test_a_dropped_connection_stops_the_batch_and_a_rerun_sends_each_once(smtp, company):
    smtp.drop_after = 2
    queue_many(5)
    summary = send_batch(NOW)
    assert summary.sent == 2 and summary.left == 3
    assert "connection was lost" in summary.error
    smtp.drop_after = None
    assert send_batch(NOW + MINUTE).sent == 3
    assert Counter(m["To"] for m in smtp.received) == {f"r{i}@example.org": 1 for i in range(5)}


class Killed(BaseException):
    """What a kill -9 looks like from inside: nothing after it runs."""


class KilledAfter:
    """A real SMTP connection whose process dies right after the server accepted message n."""

    def __init__(self, n):
        self.real = get_connection()
        self.n = n
        self.count = 0

    def open(self):
        return self.real.open()

    def close(self):
        self.real.close()

    def send_messages(self, messages):
        sent = self.real.send_messages(messages)
        self.count += 1
        if self.count == self.n:
            raise Killed
        return sent


def test_a_batch_killed_halfway_and_run_again_sends_nothing_twice(smtp, company):
    queue_many(5)
    with contextlib.suppress(Killed):
        send_batch(NOW, connection=KilledAfter(3))
    assert statuses() == {Status.SENT: 2, Status.SENDING: 1, Status.QUEUED: 2}
    again = send_batch(NOW + MINUTE)
    assert again.sent == 2
    # Ten minutes on, the row the dead worker held is "unknown": shown to a person, not re-sent.
    later = send_batch(NOW + 12 * MINUTE)
    assert (later.sent, later.unknown) == (0, 1)
    assert statuses() == {Status.SENT: 4, Status.UNKNOWN: 1}
    assert Counter(m["To"] for m in smtp.received) == {f"r{i}@example.org": 1 for i in range(5)}
    unknown = OutboxMessage.objects.get(status=Status.UNKNOWN)
    assert "may or may not have gone out" in unknown.error


def test_a_person_can_retry_or_cancel_what_went_wrong(smtp, company):
    smtp.refuse["r0@example.org"] = "550 no such user"
    queue_many(2)
    send_batch(NOW)
    failed = OutboxMessage.objects.get(status=Status.FAILED)
    del smtp.refuse["r0@example.org"]
    assert services.requeue([failed.pk], NOW + MINUTE) == 1
    assert send_batch(NOW + MINUTE).sent == 1
    assert services.cancel([failed.pk]) == 0  # sent by now: nothing to cancel


def test_an_unsubscribe_after_queueing_is_honoured_at_send_time(smtp, customer, company):
    customer.emails.create(address="anna@example.org")
    services.enqueue(
        key="article:9",
        kind="article",
        to_address="anna@example.org",
        subject="Hi",
        text="Hello",
        now=NOW,
        customer=customer,
    )
    customer.do_not_email = True  # set by hand on the customer form: no cancel ran
    customer.save()
    summary = send_batch(NOW)
    assert (summary.sent, summary.cancelled) == (0, 1)
    assert smtp.received == []
    assert "does not want e-mail" in OutboxMessage.objects.get().error


def test_unsubscribing_cancels_queued_mail_at_once(customer, company):
    services.enqueue(
        key="article:9",
        kind="article",
        to_address="anna@example.org",
        subject="Hi",
        text="Hello",
        now=NOW,
        customer=customer,
    )
    record = unsubscribe(customer, NOW, "page")
    assert record is not None and record.cancelled == 1
    assert OutboxMessage.objects.get().status == Status.CANCELLED
    assert unsubscribe(customer, NOW, "page") is None  # twice changes nothing


def test_no_mail_server_leaves_everything_queued(settings, company):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    queue_many(2)
    summary = send_batch(NOW)
    assert summary.sent == 0 and summary.left == 2
    assert summary.error.startswith("Cannot connect to the mail server")
    assert statuses() == {Status.QUEUED: 2}
