"""The outbox: every e-mail the product sends is a row written before sending and marked after."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    ARTICLE = "article", "Article"
    DIGEST = "digest", "Daily digest"
    OTHER = "other", "Other"


class Status(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    # A worker claimed it and never said how the SMTP call ended (it was killed): perhaps sent,
    # perhaps not. Never re-sent automatically; a person retries or cancels it.
    UNKNOWN = "unknown", "Unknown (worker stopped while sending)"


class OutboxMessage(models.Model):
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OTHER)
    key = models.CharField(
        max_length=200, unique=True, help_text="Idempotency key: “article:<mailing id>”."
    )
    customer = models.ForeignKey(
        "book.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbox_messages",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbox_messages",
        help_text="The sender (a rep), when a person sends it.",
    )
    to_address = models.CharField(max_length=254)
    from_address = models.CharField(max_length=320)
    reply_to = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=300)
    text = models.TextField()
    html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    message_id = models.CharField(
        max_length=250, help_text="Set when queued, so a retried message keeps its Message-ID."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(
        blank=True, help_text="The mail server's answer, or why it was cancelled."
    )

    class Meta:
        ordering = ["-queued_at", "-id"]
        indexes = [
            models.Index(fields=["status", "queued_at"], name="outbox_due"),
            models.Index(fields=["sent_at"], name="outbox_sent_at"),
            models.Index(fields=["customer", "status"], name="outbox_customer_status"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_address} ({self.status})"


class UnsubscribeHow(models.TextChoices):
    ONE_CLICK = "one_click", "One-click (the mail program's unsubscribe button)"
    PAGE = "page", "The unsubscribe page"
    BY_HAND = "by_hand", "Set by a person"


class Unsubscribe(models.Model):
    """When and how a customer said “no more e-mail” (``Customer.do_not_email`` is the switch)."""

    customer = models.ForeignKey(
        "book.Customer", on_delete=models.CASCADE, related_name="unsubscribes"
    )
    at = models.DateTimeField()
    how = models.CharField(max_length=10, choices=UnsubscribeHow.choices)
    cancelled = models.PositiveIntegerField(
        default=0, help_text="Queued e-mails cancelled by this unsubscribe."
    )

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.customer} unsubscribed {self.at:%Y-%m-%d} ({self.get_how_display()})"
