"""The Action: every piece of extra-mile work, planned or done. Also the history of each customer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class ActionKind(models.TextChoices):
    REACH_OUT = "reach_out", "Reach out"
    PROMISE = "promise", "Meet a promise"
    CARDS = "cards", "Mail cards"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    SKIPPED = "skipped", "Skipped"
    SNOOZED = "snoozed", "Snoozed"
    MISSED = "missed", "Missed"  # expired while still open: fell through the cracks


class Priority(models.IntegerChoices):
    """Lower comes first on Today."""

    URGENT = 10, "Urgent"
    PROMISE = 20, "Promise"
    HIGH = 30, "High"
    NORMAL = 50, "Normal"
    LOW = 70, "Low"


class Action(models.Model):
    key = models.CharField(
        max_length=200,
        unique=True,
        help_text="Makes planning idempotent, e.g. keydate:birthday:42:2026",
    )
    kind = models.CharField(max_length=30, choices=ActionKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="actions"
    )
    customer = models.ForeignKey(
        "book.Customer", null=True, blank=True, on_delete=models.CASCADE, related_name="actions"
    )
    household = models.ForeignKey(
        "book.Household", null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    due_on = models.DateField(help_text="The owner's local day it is due.")
    due_at = models.DateTimeField(null=True, blank=True)
    expires_on = models.DateField(
        null=True, blank=True, help_text="After this day an open action no longer shows."
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default="open")
    outcome = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["priority", "due_on", "due_at", "id"]
        indexes = [
            # "Today" for one owner: open or snoozed work, due by the day, by priority.
            models.Index(
                fields=["owner", "priority", "due_on"],
                condition=Q(status__in=["open", "snoozed"]),
                name="action_pending_by_owner",
            ),
            models.Index(fields=["customer", "-due_on"], name="action_customer_history"),
            models.Index(fields=["owner", "status", "completed_at"], name="action_owner_done"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_pending(self) -> bool:
        return self.status in {ActionStatus.OPEN, ActionStatus.SNOOZED}


class ScheduledRun(models.Model):
    """One row per scheduled job and period: the unique key lets only one worker enqueue it."""

    key = models.CharField(max_length=200, unique=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.key
