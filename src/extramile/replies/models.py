"""A reply written in ExtraMile, the company's reply templates, and the e-mail threading of an
inbound message that came through the mailbox sync."""

from __future__ import annotations

from django.conf import settings
from django.db import models

MAX_TEXT = 10000


class ReplyChannel(models.TextChoices):
    EMAIL = "email", "E-mail"
    CALL = "call", "Call back"
    TEXT = "text", "Text message"


class Reply(models.Model):
    """The answer to one inbound message. Writing it stops the message's reply clock at ``at``
    (``inbox.services.mark_replied``, in the same transaction); an e-mail is queued in the outbox
    (``outbox_message``) and goes out with the next batch."""

    message = models.OneToOneField(
        "inbox.InboundMessage", on_delete=models.CASCADE, related_name="written_reply"
    )
    channel = models.CharField(max_length=5, choices=ReplyChannel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    subject = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    outbox_message = models.ForeignKey(
        "outbox.OutboxMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} reply to message {self.message_id}"


class ReplyTemplate(models.Model):
    """A common answer, for the whole company (Settings, admins). ``{first_name}`` and the other
    fields in ``render.FIELDS`` are filled in; nothing else in the text is interpreted."""

    name = models.CharField(max_length=100, unique=True)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EmailThread(models.Model):
    """What a reply needs to join the customer's conversation: their message's Message-ID, its
    References and subject (kept by the mailbox sync when it logs the message)."""

    message = models.OneToOneField(
        "inbox.InboundMessage", on_delete=models.CASCADE, related_name="email_thread"
    )
    mail_id = models.CharField("Message-ID", max_length=998)
    references = models.TextField(blank=True, help_text="Message-IDs, oldest first, with <>.")
    subject = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return self.mail_id
