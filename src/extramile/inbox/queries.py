"""Who sees which messages, and the Inbox page's lists.

A rep sees the messages they owe; a manager their team's plus the unassigned ones; an admin all.
(The same rule as ``accounts.scoping`` for owned records, with unassigned messages for those who
hand them out.)
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from extramile.inbox.models import InboundMessage


def owed(messages: QuerySet[InboundMessage]) -> QuerySet[InboundMessage]:
    """Unanswered, earliest deadline first."""
    return (
        messages.filter(replied_at__isnull=True)
        .select_related("customer", "owner")
        .order_by("reply_due_at", "id")
    )


def unmatched(messages: QuerySet[InboundMessage], since: dt.datetime) -> QuerySet[InboundMessage]:
    """Messages with no customer, received since ``since``, newest first."""
    return (
        messages.filter(customer__isnull=True, received_at__gte=since)
        .select_related("owner")
        .order_by("-received_at", "-id")
    )


def answered(messages: QuerySet[InboundMessage], since: dt.datetime) -> QuerySet[InboundMessage]:
    return (
        messages.filter(replied_at__gte=since)
        .select_related("customer", "owner", "replied_by")
        .order_by("-replied_at", "-id")
    )
