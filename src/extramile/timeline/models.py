"""A note on a customer: what was said, what to remember. Written from Today, the customer page,
a call outcome or the API; shown on the customer's timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models

MAX_NOTE = 2000


class NoteSource(models.TextChoices):
    WEB = "web", "Page"
    API = "api", "API"


class Note(models.Model):
    customer = models.ForeignKey(
        "book.Customer", on_delete=models.CASCADE, related_name="notes_log"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    text = models.TextField()
    source = models.CharField(max_length=3, choices=NoteSource.choices, default=NoteSource.WEB)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["customer", "-at", "-id"], name="note_customer_at")]

    def __str__(self) -> str:
        return f"Note on {self.customer} at {self.at:%Y-%m-%d %H:%M}"
