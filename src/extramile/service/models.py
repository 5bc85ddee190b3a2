"""Service requests, their timeline, and the response and resolution targets per priority.

A request carries two clocks in business minutes (see ``clocks.py``): the first response and the
resolution. Their deadlines are stored (``first_response_due_at``, ``resolve_due_at``) and so is
the next one still ticking (``due_at``), recomputed on every write by ``services.py``: the queue and
Today sort on it, and "breaching" is one indexed comparison (``due_at < now``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from extramile.accounts.scoping import CustomerScopedQuerySet
from extramile.service.habits import SERVICE


class Priority(models.TextChoices):
    URGENT = "urgent", "Urgent"
    HIGH = "high", "High"
    NORMAL = "normal", "Normal"
    LOW = "low", "Low"


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    WAITING = "waiting", "Waiting on customer"
    RESOLVED = "resolved", "Resolved"


OPEN_STATUSES = ("new", "open", "waiting")

# Business minutes: (first response, resolution). A business day is the company's opening hours
# (09:00–18:00 by default, so 9 h = one day). Editable per priority as ``ServiceTarget`` rows.
DEFAULT_TARGETS: dict[str, tuple[int, int]] = {
    Priority.URGENT: (60, 4 * 60),
    Priority.HIGH: (2 * 60, 9 * 60),
    Priority.NORMAL: (4 * 60, 3 * 9 * 60),
    Priority.LOW: (9 * 60, 5 * 9 * 60),
}
MAX_TARGET_MINUTES = 60 * 9 * 60  # sixty business days


class ServiceTarget(models.Model):
    """How fast a request of one priority is answered and resolved, in business minutes."""

    priority = models.CharField(max_length=10, choices=Priority.choices, unique=True)
    first_response_minutes = models.PositiveIntegerField(
        "first response within (business minutes)",
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TARGET_MINUTES)],
    )
    resolve_minutes = models.PositiveIntegerField(
        "resolve within (business minutes)",
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TARGET_MINUTES)],
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_priority_display()}: {self.first_response_minutes} / {self.resolve_minutes} min"

    def clean(self) -> None:
        if (
            self.first_response_minutes
            and self.resolve_minutes
            and self.resolve_minutes < self.first_response_minutes
        ):
            raise ValidationError(
                {
                    "resolve_minutes": "A request cannot be resolved sooner than it is first answered: "
                    "make the resolution target at least as long as the first response's."
                }
            )


class ServiceRequestQuerySet(CustomerScopedQuerySet["ServiceRequest"]):
    """Requests are seen with their customer (``visible_to``, accounts.scoping)."""

    def pending(self) -> ServiceRequestQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def breaching(self, now: dt.datetime) -> ServiceRequestQuerySet:
        """Open requests with a clock past its deadline at ``now``."""
        return self.pending().filter(due_at__lt=now)

    def first_response_met(self) -> ServiceRequestQuerySet:
        return self.filter(first_response_at__lte=F("first_response_due_at"))

    def resolution_met(self) -> ServiceRequestQuerySet:
        return self.filter(status=Status.RESOLVED, resolved_at__lte=F("resolve_due_at"))


class ServiceRequest(models.Model):
    customer = models.ForeignKey(
        "book.Customer", on_delete=models.CASCADE, related_name="service_requests"
    )
    subject = models.CharField(max_length=200)
    details = models.TextField(blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    went_wrong = models.BooleanField(
        "something went wrong",
        default=False,
        help_text="We let the customer down: resolving it asks for the extra-mile story.",
    )
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_requests_opened",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="service_requests"
    )
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    # The rep's words when a went-wrong request was resolved, kept as written. The living record is
    # the ``culture.Story`` made from them (``extra_mile_story``), which the rep finishes and shares.
    story = models.TextField(blank=True)

    # The clocks (business time, see clocks.py). Deadlines = opened_at + target + paused minutes.
    # The targets are copied from ServiceTarget when the request opens or changes priority: an
    # admin editing the targets later does not move the deadlines already promised.
    response_target_minutes = models.PositiveIntegerField()
    resolve_target_minutes = models.PositiveIntegerField()
    first_response_due_at = models.DateTimeField()
    resolve_due_at = models.DateTimeField()
    paused_at = models.DateTimeField(
        null=True, blank=True, help_text="Since when the request waits on the customer."
    )
    response_paused_minutes = models.FloatField(default=0)
    resolve_paused_minutes = models.FloatField(default=0)
    due_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The next deadline still ticking (or one already breached); empty when paused "
        "or resolved.",
    )
    updated_at = models.DateTimeField()

    objects = ServiceRequestQuerySet.as_manager()

    class Meta:
        ordering = [F("due_at").asc(nulls_last=True), "opened_at", "id"]
        indexes = [
            models.Index(fields=["status", "assignee"], name="service_status_assignee"),
            models.Index(
                fields=["due_at"],
                condition=Q(status__in=OPEN_STATUSES),
                name="service_open_due",
            ),
            models.Index(fields=["customer", "status"], name="service_customer_status"),
            models.Index(fields=["assignee", "resolved_at"], name="service_assignee_resolved"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    @property
    def response_pending(self) -> bool:
        return self.is_open and self.first_response_at is None

    @property
    def action_key(self) -> str:
        return SERVICE.key.build(self.pk)

    def response_breaching(self, now: dt.datetime) -> bool:
        return self.response_pending and _past(self.first_response_due_at, self.paused_at, now)

    def resolution_breaching(self, now: dt.datetime) -> bool:
        return self.is_open and _past(self.resolve_due_at, self.paused_at, now)

    def breaching(self, now: dt.datetime) -> bool:
        """A pending clock is past its deadline (a pause does not stop a breach already made)."""
        return self.response_breaching(now) or self.resolution_breaching(now)

    @property
    def first_response_met(self) -> bool | None:
        """Answered by the deadline; None while no answer yet."""
        if self.first_response_at is None:
            return None
        return self.first_response_at <= self.first_response_due_at

    @property
    def resolution_met(self) -> bool | None:
        if self.resolved_at is None:
            return None
        return self.resolved_at <= self.resolve_due_at


def _past(due: dt.datetime, paused_at: dt.datetime | None, now: dt.datetime) -> bool:
    return (paused_at if paused_at is not None else now) > due


class EventKind(models.TextChoices):
    OPENED = "opened", "Opened"
    NOTE = "note", "Note"
    FIRST_RESPONSE = "first_response", "First response"
    STATUS = "status", "Status change"
    PRIORITY = "priority", "Priority change"
    REASSIGNED = "reassigned", "Reassigned"
    RESOLVED = "resolved", "Resolved"
    REOPENED = "reopened", "Reopened"


class ServiceEvent(models.Model):
    """One line of a request's timeline. Written by the service functions, never edited."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_events",
    )
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["request", "at"], name="service_event_timeline")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"
