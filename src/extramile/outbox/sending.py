"""Sending the outbox: claim a row, send it over one SMTP connection, mark it. Never twice.

The order of writes is what makes a crash safe:

1. the row is marked ``sending`` (with ``claimed_at``) and committed *before* the SMTP call;
2. the server's answer is written *after* it: ``sent``, ``failed`` (a permanent 5xx answer, kept
   in ``error``) or back to ``queued`` (a temporary 4xx answer, or a lost connection: the server
   never confirmed the message, and SMTP itself says to try again).

A worker killed between 1 and 2 leaves a ``sending`` row. After ``STALE_AFTER`` the next batch
marks it ``unknown``: it may or may not have gone out, so it is *not* re-sent automatically (at
most once); a person retries or cancels it (admin, or ``extramile outbox retry``).

The rate limit is a sliding minute: a batch sends at most ``Company.emails_per_minute`` minus what
was sent (or is being sent) in the minute before it, then returns and says how many are left.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import smtplib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q

from extramile.accounts.models import Company
from extramile.outbox.models import OutboxMessage, Status

STALE_AFTER = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
CHUNK = 200
WINDOW = dt.timedelta(minutes=1)


@dataclass
class SendSummary:
    sent: int = 0
    failed: int = 0
    left: int = 0
    cancelled: int = 0
    deferred: int = 0  # temporary failures, queued again
    unknown: int = 0  # stale "sending" rows found by this batch and marked unknown
    rate_limited: bool = False
    error: str = ""  # why the batch stopped early (the connection), if it did

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class ConnectionLost(Exception):
    """The SMTP connection failed: stop the batch, the rest stays queued."""


def mark_stale(now: dt.datetime) -> int:
    """``sending`` rows claimed more than ``STALE_AFTER`` ago belong to a dead worker: unknown."""
    return OutboxMessage.objects.filter(
        status=Status.SENDING, claimed_at__lt=now - STALE_AFTER
    ).update(
        status=Status.UNKNOWN,
        error="The worker stopped while sending: it may or may not have gone out. "
        "Retry or cancel it.",
    )


def budget(now: dt.datetime, per_minute: int) -> int:
    """How many may still go in the minute ending at ``now`` (sent plus in flight count)."""
    recent = OutboxMessage.objects.filter(
        Q(sent_at__gt=now - WINDOW) | Q(status=Status.SENDING)
    ).count()
    return max(per_minute - recent, 0)


def due(limit: int) -> Iterator[list[OutboxMessage]]:
    """Queued messages, oldest first, in chunks (ids fixed up front: a requeued row waits)."""
    ids = list(
        OutboxMessage.objects.filter(status=Status.QUEUED)
        .order_by("queued_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = OutboxMessage.objects.filter(pk__in=chunk, status=Status.QUEUED).select_related(
            "customer"
        )
        yield sorted(rows, key=lambda row: (row.queued_at, row.id))


def build(message: OutboxMessage, connection: Any) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        from_email=message.from_address,
        to=[message.to_address],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers={**message.headers, "Message-ID": message.message_id},
        connection=connection,
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    return email


def server_answer(error: smtplib.SMTPException) -> tuple[int | None, str]:
    """The SMTP reply code and text behind an error (the first refused recipient's, if any)."""
    raw: bytes | str
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        code, raw = next(iter(error.recipients.values()))
    elif isinstance(error, smtplib.SMTPResponseException):
        code, raw = error.smtp_code, error.smtp_error
    else:
        return None, str(error)
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return code, f"{code} {text}"


def send_one(message: OutboxMessage, connection: Any, clock: Any) -> str:
    """Send a claimed message and record the answer; returns the new status."""
    try:
        email = build(message, connection)
        email.send()
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as error:
        code, answer = server_answer(error)
        if code == 421:  # the server is closing the connection: try later
            _back_to_queue(message, answer)
            raise ConnectionLost(answer) from error
        if code is not None and 400 <= code < 500 and message.attempts < MAX_ATTEMPTS:
            _back_to_queue(message, answer)
            return Status.QUEUED
        _failed(message, answer, clock())
        return Status.FAILED
    except (smtplib.SMTPException, OSError) as error:
        # No answer from the server: it has not accepted the message. Queue it again.
        _back_to_queue(message, f"Connection lost: {error}")
        raise ConnectionLost(str(error) or type(error).__name__) from error
    except ValueError as error:  # a header Django refuses (e.g. a newline): never sendable
        _failed(message, f"Not sendable: {error}", clock())
        return Status.FAILED
    OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING).update(
        status=Status.SENT, sent_at=clock(), error=""
    )
    return Status.SENT


def _back_to_queue(message: OutboxMessage, answer: str) -> None:
    OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING).update(
        status=Status.QUEUED, claimed_at=None, error=answer
    )


def _failed(message: OutboxMessage, answer: str, at: dt.datetime) -> None:
    OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING).update(
        status=Status.FAILED, failed_at=at, error=answer
    )


def _claim(message: OutboxMessage, now: dt.datetime) -> bool:
    """Mark it ``sending`` (committed before the SMTP call); False if another worker has it."""
    claimed = OutboxMessage.objects.filter(pk=message.pk, status=Status.QUEUED).update(
        status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    message.attempts += 1
    return claimed == 1


def _cancel_unwanted(message: OutboxMessage) -> bool:
    """Re-checked at send time: a customer who opted out since it was queued gets nothing."""
    customer = message.customer
    if customer is None or not customer.do_not_email:
        return False
    return (
        OutboxMessage.objects.filter(pk=message.pk, status=Status.QUEUED).update(
            status=Status.CANCELLED,
            error=f"Not sent: {customer.full_name} does not want e-mail any more.",
        )
        == 1
    )


def send_batch(now: dt.datetime, limit: int | None = None, connection: Any = None) -> SendSummary:
    """Send what is queued, oldest first, within the company's rate; never a message twice.

    Must run outside a transaction (each claim and mark commits on its own). ``sent_at`` is ``now``
    plus the time the batch has taken so far, so the rate window sees when mail really went.
    """
    summary = SendSummary(unknown=mark_stale(now))
    rate = budget(now, Company.get().emails_per_minute)
    allowed = rate if limit is None else min(rate, max(limit, 0))
    queued = OutboxMessage.objects.filter(status=Status.QUEUED)
    if not queued.exists():
        return summary
    if allowed == 0:
        summary.rate_limited = rate == 0
        summary.left = queued.count()
        return summary
    started = time.monotonic()

    def clock() -> dt.datetime:
        return now + dt.timedelta(seconds=time.monotonic() - started)

    connection = connection or get_connection(fail_silently=False)
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as error:
        summary.error = f"Cannot connect to the mail server: {error or type(error).__name__}"
        summary.left = queued.count()
        return summary
    done = 0
    try:
        for chunk in due(allowed):
            for message in chunk:
                if _cancel_unwanted(message):
                    summary.cancelled += 1
                    continue
                if not _claim(message, clock()):
                    continue
                status = send_one(message, connection, clock)
                if status == Status.SENT:
                    summary.sent += 1
                elif status == Status.FAILED:
                    summary.failed += 1
                else:
                    summary.deferred += 1
                done += 1
    except ConnectionLost as error:
        summary.error = f"The mail server connection was lost: {error}"
    finally:
        # Closing a broken connection may fail too; there is nothing left to do about it.
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()
    summary.left = queued.count()
    summary.rate_limited = not summary.error and summary.left > 0 and done >= rate
    return summary
