"""The audit trail of exports and erasures: who, when, what; never whose name or address."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    EXPORT = "export", "Export"
    ERASE = "erase", "Erasure"


class AuditRecord(models.Model):
    """One export or erasure.

    An erasure's record keeps the customer's id and how many records of each kind went, but not
    their name or contact details: keeping those would keep the very data the erasure removed.
    The id is a plain number (not a foreign key), so it outlives the customer.
    """

    at = models.DateTimeField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField(
        max_length=150, help_text="Kept as it was, should the user be deleted later."
    )
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    what = models.CharField(
        max_length=30, help_text="What was exported: the book as CSV, vCard or JSON; one customer."
    )
    customer_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The customer's id, for one customer's export or erasure."
    )
    counts = models.JSONField(
        default=dict, blank=True, help_text="How many records of each kind were exported or erased."
    )
    via = models.CharField(max_length=10, help_text="web or cli")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["customer_id", "action"], name="audit_customer_action")]

    def __str__(self) -> str:
        target = f" customer {self.customer_id}" if self.customer_id else ""
        return f"{self.get_action_display()} of {self.what}{target} by {self.username}"

    @property
    def total(self) -> int:
        return sum(int(n) for n in self.counts.values())
