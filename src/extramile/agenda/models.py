"""The Action: every piece of extra-mile work, planned or done. Also the history of each customer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from extramile.accounts.scoping import OwnedQuerySet
from extramile.agenda.habits import validate_kind


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    SKIPPED = "skipped", "Skipped"
    SNOOZED = "snoozed", "Snoozed"
    MISSED = "missed", "Missed"  # expired while still open: fell through the cracks


class Priority(models.IntegerChoices):
    """Today's order, lower first: service requests, replies owed, overdue promises, thank-you
    notes, cards, calls, then the rest. Within a priority, the earliest deadline (``due_at``)
    comes first, so breaching service requests lead the open ones."""

    SERVICE = 10, "Service"
    REPLY = 15, "Reply"
    PROMISE = 20, "Promise"
    THANK_YOU = 25, "Thank you"
    CARDS = 30, "Cards"
    CALL = 40, "Call"
    HIGH = 45, "Soon"
    NORMAL = 50, "Normal"
    LOW = 70, "Low"


class Action(models.Model):
    key = models.CharField(
        max_length=200,
        unique=True,
        help_text="Makes planning idempotent, e.g. keydate:birthday:42:2026",
    )
    # One of the registered habits' kinds (``agenda.habits``), checked when an action is written
    # (``agenda.actions``): a new kind needs no migration.
    kind = models.CharField(max_length=30, validators=[validate_kind])
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
    value_answer = models.TextField(
        blank=True, help_text="How this extra creates more value for the customer (value kinds)."
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["priority", F("due_at").asc(nulls_last=True), "due_on", "id"]
        indexes = [
            # "Today" for one owner: open or snoozed work, due by the day, by priority.
            models.Index(
                fields=["owner", "priority", "due_on"],
                condition=Q(status__in=["open", "snoozed"]),
                name="action_pending_by_owner",
            ),
            models.Index(fields=["customer", "-due_on"], name="action_customer_history"),
            models.Index(fields=["owner", "status", "completed_at"], name="action_owner_done"),
            # Insights: actions done with each customer in the last 12 months.
            models.Index(
                fields=["customer", "status", "completed_at"], name="action_customer_done"
            ),
            # Streaks: per owner and day, how much was due and how much was closed.
            models.Index(fields=["owner", "due_on", "status"], name="action_owner_day"),
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
