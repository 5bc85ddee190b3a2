"""A user's private calendar link: only its SHA-256 is stored, like an API token."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class CalendarFeed(models.Model):
    """The secret behind ``/calendar/<secret>.ics``. A user has at most one live feed: making a
    new link revokes the old one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    prefix = models.CharField(max_length=8, help_text="The secret's first characters, to tell it.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="calendar_feed_one_live"
            )
        ]

    def __str__(self) -> str:
        return f"Calendar link {self.prefix}… of {self.user}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
