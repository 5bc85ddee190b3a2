"""Queueing e-mail, and what a person does with a message that went wrong.

``enqueue`` is the one way into the outbox; ``sending.send_batch`` is the one way out.
"""

from __future__ import annotations

import datetime as dt
from email.utils import make_msgid, parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count

from extramile.accounts.models import User
from extramile.book.contact import normalise_email
from extramile.book.models import Customer
from extramile.outbox.models import Kind, OutboxMessage, Status


def _one_line(value: str, what: str) -> str:
    text = (value or "").strip()
    if "\n" in text or "\r" in text:
        raise ValidationError(f"The {what} must be one line.")
    return text


def enqueue(
    *,
    key: str,
    kind: str,
    to_address: str,
    subject: str,
    text: str,
    now: dt.datetime,
    html: str = "",
    customer: Customer | None = None,
    user: User | None = None,
    from_address: str | None = None,
    reply_to: str = "",
    headers: dict[str, str] | None = None,
) -> OutboxMessage:
    """Queue one e-mail under ``key``; queueing the same key again returns the first row unchanged.

    Refuses (``ValidationError``) a bad address, an empty subject or body, and a customer who
    does not want e-mail.
    """
    key = (key or "").strip()
    if not key:
        raise ValidationError("An outbox message needs a key (for example “article:12”).")
    existing = OutboxMessage.objects.filter(key=key).first()
    if existing is not None:
        return existing
    if kind not in Kind.values:
        raise ValidationError(f"“{kind}” is not a kind of e-mail: use one of {', '.join(Kind)}.")
    address = normalise_email(to_address)
    subject = _one_line(subject, "subject")
    if not subject:
        raise ValidationError("An e-mail needs a subject.")
    if not (text or "").strip():
        raise ValidationError("An e-mail needs a text body.")
    if customer is not None and customer.do_not_email:
        raise ValidationError(
            f"{customer.full_name} does not want e-mail (unsubscribed or marked do-not-email)."
        )
    sender = _one_line(from_address or settings.DEFAULT_FROM_EMAIL, "From address")
    if not parseaddr(sender)[1]:
        raise ValidationError(f"“{sender}” is not a From address.")
    extra: dict[str, Any] = {}
    for name, value in (headers or {}).items():
        extra[_one_line(name, "header name")] = _one_line(str(value), f"{name} header")
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    try:
        with transaction.atomic():
            return OutboxMessage.objects.create(
                key=key,
                kind=kind,
                customer=customer,
                user=user,
                to_address=address,
                from_address=sender,
                reply_to=_one_line(reply_to, "Reply-To address"),
                subject=subject,
                text=text,
                html=html or "",
                headers=extra,
                message_id=make_msgid(domain=domain),
                queued_at=now,
            )
    except IntegrityError:
        # Another process queued the same key a moment ago: theirs is the one.
        return OutboxMessage.objects.get(key=key)


# Which messages a person may send again, or cancel.
RETRYABLE: tuple[str, ...] = (Status.FAILED, Status.UNKNOWN)
CANCELLABLE: tuple[str, ...] = (Status.QUEUED, Status.UNKNOWN, Status.FAILED)


def requeue(ids: list[int], now: dt.datetime) -> int:
    """A person decided to send these again (failed, or unknown after a worker died)."""
    return OutboxMessage.objects.filter(pk__in=ids, status__in=RETRYABLE).update(
        status=Status.QUEUED, queued_at=now, claimed_at=None, failed_at=None
    )


def cancel(ids: list[int], reason: str = "Cancelled by a person.") -> int:
    """Cancel messages that have not gone out (queued, or unknown after a worker died)."""
    return OutboxMessage.objects.filter(pk__in=ids, status__in=CANCELLABLE).update(
        status=Status.CANCELLED, error=reason
    )


def counts() -> dict[str, int]:
    """How many messages are in each status (every status, zeros included)."""
    found = dict.fromkeys(Status.values, 0)
    for row in OutboxMessage.objects.order_by().values("status").annotate(n=Count("id")):
        found[row["status"]] = row["n"]
    return found
