"""The value score (one row per customer, recomputed nightly) and breakfast or lunch invitations."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from extramile.accounts.scoping import OwnedQuerySet
from extramile.book.models import Tier


class ValueScore(models.Model):
    """How valuable a customer is, 0–100, and the figures behind it (see ``scoring.py``).

    Written only by ``scoring.recompute`` (set-based, a row only when it changed); pages read it."""

    customer = models.OneToOneField(
        "book.Customer", primary_key=True, on_delete=models.CASCADE, related_name="value_score"
    )
    score = models.FloatField(help_text="0–100: the weighted sum of the component percentiles.")
    rank = models.PositiveIntegerField(help_text="1 = the company's most valuable customer.")
    rank_in_book = models.PositiveIntegerField(help_text="1 = the owner's most valuable customer.")
    book_size = models.PositiveIntegerField(help_text="Customers scored in the owner's book.")
    tier = models.CharField(
        max_length=1, choices=Tier.choices, help_text="The tier the score gives (hand tiers aside)."
    )
    # The components, as shown on the customer page.
    last_sale_on = models.DateField(null=True, blank=True)
    sales_count = models.PositiveIntegerField(default=0)
    sales_amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    referrals = models.PositiveIntegerField(default=0)
    referrals_with_sale = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["rank"], name="valuescore_rank"),
            # The lunch suggestions look at each book's top first.
            models.Index(fields=["rank_in_book"], name="valuescore_rank_in_book"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.score:.0f}"


class ValueRun(models.Model):
    """One row per company-local day the scores were recomputed: the nightly plan runs once per
    time zone, the scores only once a day."""

    day = models.DateField(unique=True)
    scored = models.PositiveIntegerField(default=0)
    tiers_changed = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    finished_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.day}: {self.scored} scored"


class MealKind(models.TextChoices):
    BREAKFAST = "breakfast", "Breakfast"
    LUNCH = "lunch", "Lunch"


class InvitationStatus(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    INVITED = "invited", "Invited"
    ACCEPTED = "accepted", "Accepted"
    HELD = "held", "Held"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"


OPEN_INVITATIONS = [
    InvitationStatus.SUGGESTED,
    InvitationStatus.INVITED,
    InvitationStatus.ACCEPTED,
]


class Invitation(models.Model):
    """Breakfast or lunch with one of a rep's best customers: suggested once per period, then
    invited → accepted (a date) → held (notes) or declined / cancelled. See ``lunches.py``."""

    customer = models.ForeignKey(
        "book.Customer", on_delete=models.CASCADE, related_name="invitations"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    period_start = models.DateField(help_text="The first day of the suggestion period.")
    suggested_on = models.DateField()
    kind = models.CharField(max_length=10, choices=MealKind.choices, blank=True)
    status = models.CharField(
        max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.SUGGESTED
    )
    meal_on = models.DateField("date of the meal", null=True, blank=True)
    notes = models.TextField(blank=True)
    score = models.FloatField(null=True, blank=True, help_text="The value score when suggested.")
    rank_in_book = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-suggested_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "period_start"], name="invitation_per_period")
        ]
        indexes = [
            models.Index(fields=["customer", "-suggested_on"], name="invitation_customer"),
            models.Index(
                fields=["owner", "status"],
                condition=Q(status__in=["suggested", "invited", "accepted"]),
                name="invitation_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display() or 'Breakfast or lunch'} with {self.customer}"

    @property
    def meal_name(self) -> str:
        return self.get_kind_display().lower() if self.kind else "breakfast or lunch"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_INVITATIONS
