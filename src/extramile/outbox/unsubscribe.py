"""Unsubscribing: honoured at once, recorded with when and how, queued mail cancelled."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from extramile.book.models import Customer
from extramile.outbox.models import OutboxMessage, Status, Unsubscribe, UnsubscribeHow


def unsubscribe(customer: Customer, now: dt.datetime, how: str) -> Unsubscribe | None:
    """Stop e-mail to ``customer``: sets ``do_not_email``, records it, cancels queued mail.

    Returns the new record, or None when the customer was unsubscribed already (a double click,
    a mail program posting twice): nothing changes the second time.
    """
    if how not in UnsubscribeHow.values:
        raise ValueError(f"unknown unsubscribe channel {how!r}")
    with transaction.atomic():
        changed = Customer.objects.filter(pk=customer.pk, do_not_email=False).update(
            do_not_email=True
        )
        customer.do_not_email = True
        if not changed:
            return None
        cancelled = OutboxMessage.objects.filter(
            customer=customer, status__in=[Status.QUEUED, Status.UNKNOWN]
        ).update(
            status=Status.CANCELLED,
            error=f"Not sent: {customer.full_name} unsubscribed on {now:%Y-%m-%d %H:%M} UTC.",
        )
        return Unsubscribe.objects.create(customer=customer, at=now, how=how, cancelled=cancelled)
