"""What the API keeps: the answers to requests sent with an ``Idempotency-Key``."""

from __future__ import annotations

from django.db import models

from extramile.accounts.models import ApiToken


class IdempotentRequest(models.Model):
    """A POST sent with an ``Idempotency-Key`` and the answer it got, so that a retry (a webhook
    delivered twice, a client that timed out) gets the same answer and changes nothing. Kept for
    ``idempotency.KEEP``; the key is per token."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    body_hash = models.CharField(max_length=64, help_text="SHA-256 of the request body.")
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="idempotency_key_once_per_token")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"
