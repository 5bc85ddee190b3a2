"""Competitor notes, opportunities and the checklist of against-the-crowd moves.

The moves are a fixed list (``Move``), defined once here with their explanations; a checklist
entry (``MoveCheck``) exists only once someone answered for that move, so "not yet" is also what
a missing row means.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from extramile.accounts.scoping import OwnedQuerySet


class Competitor(models.Model):
    name = models.CharField(max_length=120, unique=True)
    what_they_do = models.TextField("what they do", blank=True)
    what_they_wont = models.TextField("what they will not or cannot do", blank=True)
    our_difference = models.TextField("our difference", blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Stage(models.TextChoices):
    LEAD = "lead", "Lead"
    QUALIFIED = "qualified", "Qualified"
    PROPOSAL = "proposal", "Proposal"
    NEGOTIATION = "negotiation", "Negotiation"
    WON = "won", "Won"
    LOST = "lost", "Lost"


OPEN_STAGES = (Stage.LEAD, Stage.QUALIFIED, Stage.PROPOSAL, Stage.NEGOTIATION)
CLOSED_STAGES = (Stage.WON, Stage.LOST)


class Move(models.TextChoices):
    """The against-the-crowd moves: what most sellers avoid and the best ones do on purpose."""

    COMMITMENT_FIRST = "commitment_first", "Commitment asked before the pitch"
    TERMS_UP_FRONT = "terms_up_front", "Terms negotiated up front"
    TIME_CONDITIONS = "time_conditions", "Conditions put on time"
    TAKEAWAY = "takeaway", "The takeaway"
    OVER_THE_HEAD = "over_the_head", "Going over someone's head"


MOVE_EXPLANATIONS: dict[str, str] = {
    Move.COMMITMENT_FIRST: (
        "Before showing anything, agree what happens if it fits: “If this does what you need, "
        "will you go ahead this month?” The presentation then answers a decision, not curiosity."
    ),
    Move.TERMS_UP_FRONT: (
        "Settle price range, payment and trade-in rules at the start, while both sides are "
        "relaxed, instead of haggling at the end when the customer holds all the cards."
    ),
    Move.TIME_CONDITIONS: (
        "Tie an offer to a date and say why (stock, a price change, a delivery slot), so a "
        "decision has a reason to happen now rather than someday."
    ),
    Move.TAKEAWAY: (
        "Calmly suggest that this may not be right for them, or remove an option from the table. "
        "People reach for what is being taken away; chasing pushes them back."
    ),
    Move.OVER_THE_HEAD: (
        "When the person in front of you cannot say yes, respectfully bring in the one who can: "
        "their manager, the spouse who signs, the owner, with your contact's blessing."
    ),
}


class MoveUse(models.TextChoices):
    YES = "yes", "Used"
    NO = "no", "Not used"
    NOT_YET = "not_yet", "Not yet"


class Opportunity(models.Model):
    customer = models.ForeignKey(
        "book.Customer", on_delete=models.CASCADE, related_name="opportunities"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="opportunities"
    )
    title = models.CharField(max_length=200)
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.LEAD)
    value = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"), "The value cannot be negative.")],
    )
    expected_close = models.DateField("expected close", null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    competitor = models.ForeignKey(
        Competitor,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
        help_text="Who we were up against, if anyone.",
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name_plural = "opportunities"
        indexes = [
            models.Index(fields=["owner", "stage"], name="playbook_opp_owner_stage"),
            models.Index(fields=["closed_on"], name="playbook_opp_closed_on"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value__gte=0), name="playbook_opp_value_not_negative"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(stage__in=CLOSED_STAGES, closed_on__isnull=False)
                    | (~models.Q(stage__in=CLOSED_STAGES) & models.Q(closed_on__isnull=True))
                ),
                name="playbook_opp_closed_on_iff_closed",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.stage in CLOSED_STAGES

    def clean(self) -> None:
        if self.value is not None and self.value < 0:
            raise ValidationError({"value": "The value cannot be negative."})


class MoveCheck(models.Model):
    """One move of one opportunity's checklist: used or not, and a note on how it went."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="moves")
    move = models.CharField(max_length=20, choices=Move.choices)
    used = models.CharField(max_length=8, choices=MoveUse.choices, default=MoveUse.NOT_YET)
    note = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["opportunity", "move"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "move"], name="playbook_one_check_per_move"
            )
        ]
        indexes = [models.Index(fields=["move", "used"], name="playbook_check_move_used")]

    def __str__(self) -> str:
        return f"{self.get_move_display()}: {self.get_used_display()}"
