"""A user's IMAP mailbox, and the messages the poller has seen in it.

The password is stored encrypted (``crypto``); the poller keeps, per folder, the UIDVALIDITY and
the highest UID it has read, so each poll fetches only new messages. ``SeenMessage`` remembers every
message it acted on by its Message-ID (unique per user and folder), so nothing counts twice, even
when the server renumbers a folder.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Security(models.TextChoices):
    TLS = "tls", "TLS (usually port 993)"
    STARTTLS = "starttls", "STARTTLS (usually port 143)"
    NONE = "none", "None: only for a server on this machine"


DEFAULT_PORTS = {Security.TLS: 993, Security.STARTTLS: 143, Security.NONE: 143}


class MailboxConnection(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mailbox"
    )
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField()
    security = models.CharField(max_length=10, choices=Security.choices, default=Security.TLS)
    username = models.CharField(max_length=255)
    password_encrypted = models.TextField(help_text="Fernet token; never the password itself.")
    inbox_folder = models.CharField(max_length=255, default="INBOX")
    sent_folder = models.CharField(max_length=255)
    since = models.DateTimeField(help_text="Mail that arrived before this is not read.")
    connected_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    inbox_uidvalidity = models.BigIntegerField(null=True, blank=True)
    inbox_last_uid = models.BigIntegerField(default=0)
    sent_uidvalidity = models.BigIntegerField(null=True, blank=True)
    sent_last_uid = models.BigIntegerField(default=0)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_ok_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    paused = models.BooleanField(
        default=False,
        help_text="The server refused the login: not polled until the password is saved again.",
    )
    polling_since = models.DateTimeField(
        null=True, blank=True, help_text="A worker is polling it (a claim, so only one does)."
    )

    def __str__(self) -> str:
        return f"{self.username} at {self.host}:{self.port}"


class Folder(models.TextChoices):
    INBOX = "inbox", "Inbox"
    SENT = "sent", "Sent"


class Outcome(models.TextChoices):
    INBOUND = "inbound", "Reply owed"
    SHARED = "shared", "Logged from another mailbox"
    UNKNOWN = "unknown", "Not a customer you can see"
    AUTOMATIC = "automatic", "Automatic or bulk mail"
    REPLIED = "replied", "Reply sent"
    NOT_REPLY = "no_reply", "Nothing owed to its recipients"
    UNREADABLE = "unreadable", "Could not be read"


# Outcomes kept for good (a reply looks its inbound message up by Message-ID); the others are
# deleted after a while.
KEPT = frozenset({Outcome.INBOUND, Outcome.SHARED, Outcome.REPLIED})


class SeenMessage(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seen_mail"
    )
    folder = models.CharField(max_length=5, choices=Folder.choices)
    key = models.CharField(max_length=64, help_text="SHA-256 of the Message-ID.")
    dated = models.DateTimeField(help_text="When it arrived (INBOX) or was sent (Sent).")
    address = models.CharField(max_length=254, blank=True, help_text="From (INBOX) or To (Sent).")
    subject = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    inbound = models.ForeignKey(
        "inbox.InboundMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(max_length=300, blank=True)
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-seen_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "folder", "key"], name="seen_message_once"),
        ]
        indexes = [
            models.Index(fields=["user", "-seen_at"], name="seen_message_recent"),
            models.Index(fields=["folder", "key"], name="seen_message_key"),
        ]

    def __str__(self) -> str:
        return f"{self.get_folder_display()}: {self.subject or self.key[:12]}"
