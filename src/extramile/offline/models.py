"""The answers to page POSTs sent with an ``Idempotency-Key`` (the offline queue's replays)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PageRequest(models.Model):
    """A page POST done once: its key (per user), what was asked and the answer it got. A replay
    with the same key gets the same answer and changes nothing. Kept for ``middleware.KEEP``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    path = models.CharField(max_length=500)
    body_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    content = models.TextField(blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    location = models.CharField(max_length=1000, blank=True)
    problem = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="page_request_once_per_user")
        ]
        indexes = [models.Index(fields=["created_at"], name="page_request_created")]

    def __str__(self) -> str:
        return f"POST {self.path} ({self.key})"
