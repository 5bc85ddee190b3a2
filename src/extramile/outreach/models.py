"""Outreach: the proactive calls of the rotation, and what came of each one."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from extramile.accounts.scoping import OwnedQuerySet


class CallQuerySet(OwnedQuerySet["Call"]):
    scope_owner = "action__owner"  # the call action's owner


class CallOutcome(models.TextChoices):
    NO_ANSWER = "no_answer", "No answer"
    ALL_FINE = "all_fine", "All fine"
    SERVICE_NEED = "service_need", "Service need"
    REFERRAL = "referral", "Referral"
    SALES_LEAD = "sales_lead", "Sales lead"


class Call(models.Model):
    """One proactive call logged from its call action on Today (one per action).

    Every outcome but “no answer” is a real contact, recorded in ``book.Contact`` too; this row
    keeps what the call led to, for the Calls page and the figures to come."""

    action = models.OneToOneField(
        "agenda.Action", on_delete=models.CASCADE, related_name="call_log"
    )
    customer = models.ForeignKey(
        "book.Customer", on_delete=models.CASCADE, related_name="proactive_calls"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    outcome = models.CharField(max_length=20, choices=CallOutcome.choices)
    note = models.TextField(blank=True)
    follow_up = models.ForeignKey(
        "agenda.Action",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The retry after no answer, or the follow-up of a sales lead or referral.",
    )
    referral = models.ForeignKey(
        "book.Referral", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    service_request_id = models.PositiveIntegerField(
        null=True, blank=True, help_text="The service request the call opened."
    )

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-at"], name="call_customer_at"),
            # The Team page: calls made per rep in a week, month or quarter.
            models.Index(fields=["user", "at"], name="call_user_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.customer} at {self.at:%Y-%m-%d %H:%M}"
