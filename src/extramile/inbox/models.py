"""Inbound messages: a call, voicemail, e-mail, text or web form a customer is owed a reply to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q

from extramile.accounts.scoping import owner_filter
from extramile.inbox.habits import REPLY

if TYPE_CHECKING:
    from extramile.accounts.models import User


class Channel(models.TextChoices):
    CALL = "call", "Call"
    VOICEMAIL = "voicemail", "Voicemail"
    EMAIL = "email", "E-mail"
    TEXT = "text", "Text"
    WEB_FORM = "web_form", "Web form"


# Channels whose sender is a phone number, and those whose sender is an e-mail address; a web form
# may carry either.
PHONE_CHANNELS = frozenset({Channel.CALL, Channel.VOICEMAIL, Channel.TEXT})
EMAIL_CHANNELS = frozenset({Channel.EMAIL})


class Source(models.TextChoices):
    WEB = "web", "Quick-log"
    CLI = "cli", "Command line"
    API = "api", "API"
    MAILBOX = "imap", "Mailbox sync"


class InboundMessageQuerySet(models.QuerySet["InboundMessage"]):
    def visible_to(self, user: User) -> InboundMessageQuerySet:
        """Messages of the owners ``user`` sees; a manager also sees the unassigned ones."""
        rule = owner_filter(user)
        if rule is None:
            return self
        if user.is_active and user.is_manager:
            rule |= Q(owner__isnull=True)
        return self.filter(rule)


class InboundMessage(models.Model):
    channel = models.CharField(max_length=10, choices=Channel.choices)
    received_at = models.DateTimeField()
    from_address = models.CharField(
        "from", max_length=254, help_text="As given: a phone number or an e-mail address."
    )
    from_name = models.CharField(max_length=200, blank=True)
    customer = models.ForeignKey(
        "book.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_messages",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_messages",
        help_text="Who owes the reply; empty: unassigned (managers and admins see it).",
    )
    summary = models.TextField(blank=True)
    reply_due_at = models.DateTimeField(
        help_text="Received plus the company's reply target in business minutes, fixed on arrival."
    )
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    response_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Business minutes from received to replied."
    )
    breached = models.BooleanField(
        default=False, help_text="Replied after the deadline, or found unanswered past it."
    )
    source = models.CharField(max_length=5, choices=Source.choices, default=Source.WEB)
    external_id = models.CharField(
        max_length=200,
        blank=True,
        help_text="The sender system's id: the same id twice is the same message.",
    )
    created_at = models.DateTimeField()

    objects = InboundMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "id"]
        indexes = [
            # Replies owed by an owner, earliest deadline first (the Inbox, the overdue sweep).
            models.Index(
                fields=["owner", "reply_due_at"],
                condition=Q(replied_at__isnull=True),
                name="inbound_owed_by_owner",
            ),
            # Answered messages by owner and time: figures and "answered recently".
            models.Index(fields=["owner", "received_at"], name="inbound_owner_received"),
            # Unmatched messages waiting for the rep.
            models.Index(
                fields=["owner", "received_at"],
                condition=Q(customer__isnull=True),
                name="inbound_unmatched",
            ),
            models.Index(fields=["customer", "-received_at"], name="inbound_customer"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="inbound_external_id_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} from {self.sender}"

    @property
    def sender(self) -> str:
        """The customer's name, else the name given, else the address."""
        if self.customer_id is not None and self.customer is not None:
            return self.customer.full_name
        return self.from_name or self.from_address

    @property
    def is_email(self) -> bool:
        return "@" in self.from_address

    @property
    def action_key(self) -> str:
        return REPLY.key.build(self.pk)
