"""Writing and reading the audit trail of exports and erasures."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db.models import QuerySet

from extramile.accounts.models import User
from extramile.exports.models import AuditAction, AuditRecord


def record(
    user: User,
    action: str,
    what: str,
    now: dt.datetime,
    via: str,
    customer_id: int | None = None,
    counts: dict[str, int] | None = None,
) -> AuditRecord:
    return AuditRecord.objects.create(
        at=now,
        user=user,
        username=user.username,
        action=action,
        what=what,
        customer_id=customer_id,
        counts=counts or {},
        via=via,
    )


def previous_erasure(customer_id: int) -> AuditRecord | None:
    return (
        AuditRecord.objects.filter(action=AuditAction.ERASE, customer_id=customer_id)
        .order_by("-at")
        .first()
    )


def may_read(user: User) -> bool:
    """The audit trail is for admins."""
    return user.is_active and user.is_admin_role


def trail() -> QuerySet[AuditRecord]:
    return AuditRecord.objects.all()


# Words for the counts' keys where the model's own plural reads badly.
LABELS = {
    "book.EmailAddress": "e-mail addresses",
    "book.Contact": "contacts (calls, meetings, replies)",
    "agenda.Action": "actions",
    "cards.Card": "cards and thank-you notes",
    "cards.OccasionPreference": "card preferences",
    "service.ServiceEvent": "service request timeline entries",
    "inbox.InboundMessage": "inbound messages",
    "outbox.OutboxMessage": "e-mails in the outbox",
    "outreach.Call": "proactive calls",
    "articles.CustomerTopic": "interests",
    "value.Invitation": "breakfast and lunch invitations",
    "value.ValueScore": "value scores",
    "admin.LogEntry": "admin log entries",
}


def label(key: str) -> str:
    """A count's key in words: ``book.EmailAddress`` → “e-mail addresses”,
    ``culture.Story (unlinked)`` → “stories (unlinked, kept)”; other keys as they are."""
    model, _, note = key.partition(" (")
    suffix = f" ({note.rstrip(')')}, kept)" if note else ""
    if model in LABELS:
        return LABELS[model] + suffix
    if "." in model:
        try:
            return str(apps.get_model(model)._meta.verbose_name_plural) + suffix
        except (LookupError, ValueError):
            return key
    return key.replace("_", " ")
