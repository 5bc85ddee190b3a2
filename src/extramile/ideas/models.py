"""The idea bank (ideas, upvotes, uses), the weekly intention and the weekly surprise.

See docs/ideas.md. Rules live in ``services.py`` (the bank), ``week.py`` (intention and surprise
records) and ``planners.py`` (what Today shows); these are the records.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from extramile.ideas.habits import SURPRISE

IDEA_MAX = 500
TAGS_MAX = 200


class Idea(models.Model):
    """A small, thoughtful gesture any rep may borrow. The team's: everyone sees every idea."""

    text = models.CharField(max_length=IDEA_MAX)
    # The text lower-cased with its spaces collapsed: two ideas may not say the same thing.
    text_key = models.CharField(max_length=IDEA_MAX, unique=True, editable=False)
    tags = models.CharField(
        max_length=TAGS_MAX, blank=True, help_text="Separated by commas: birthday, family, team."
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
    )
    created_at = models.DateTimeField()
    active = models.BooleanField(default=True, help_text="Retired ideas are no longer suggested.")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["active", "-created_at"], name="idea_active_newest")]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in (t.strip() for t in self.tags.split(",")) if tag]


class IdeaVote(models.Model):
    """One upvote per user and idea; voting again takes it back."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_votes"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["idea", "user"], name="idea_vote_once")]

    def __str__(self) -> str:
        return f"{self.user} likes {self.idea}"


class IdeaUse(models.Model):
    """Someone used the idea (for a customer, or for a co-worker when ``customer`` is empty)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="uses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_uses"
    )
    at = models.DateTimeField()
    customer = models.ForeignKey(
        "book.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "idea"], name="idea_use_user")]

    def __str__(self) -> str:
        return f"{self.user} used {self.idea}"


class WeeklyIntention(models.Model):
    """What a rep means to do this week, and at the week's end whether they kept it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="intentions"
    )
    week_start = models.DateField(help_text="The Monday of the user's local week.")
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    kept = models.BooleanField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(fields=["user", "week_start"], name="intention_once_a_week"),
        ]

    def __str__(self) -> str:
        return f"{self.user}, week of {self.week_start}: {self.text[:40]}"


class SurpriseReason(models.TextChoices):
    LIFE_EVENT = "life_event", "A recent life event"
    ANNIVERSARY = "anniversary", "A coming anniversary"
    LOYAL = "loyal", "A loyal customer not heard from lately"
    COWORKER = "coworker", "A co-worker"


class Surprise(models.Model):
    """The week's surprise proposal for one user, and what they did: history for the dashboard."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="surprises"
    )
    week_start = models.DateField()
    proposed_on = models.DateField(help_text="The day it first showed on Today.")
    customer = models.ForeignKey(
        "book.Customer", null=True, blank=True, on_delete=models.CASCADE, related_name="surprises"
    )
    coworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="surprised_by",
    )
    reason = models.CharField(max_length=20, choices=SurpriseReason.choices)
    reason_text = models.CharField(max_length=300)
    idea = models.ForeignKey(
        Idea, null=True, blank=True, on_delete=models.SET_NULL, related_name="surprises"
    )
    what_was_done = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(fields=["user", "week_start"], name="surprise_once_a_week"),
            models.CheckConstraint(
                condition=Q(customer__isnull=True, coworker__isnull=False)
                | Q(customer__isnull=False, coworker__isnull=True),
                name="surprise_customer_or_coworker",
            ),
        ]
        indexes = [models.Index(fields=["week_start"], name="surprise_week")]

    def __str__(self) -> str:
        return f"{self.user}, week of {self.week_start}: {self.name}"

    @property
    def name(self) -> str:
        if self.customer is not None:
            return self.customer.full_name
        return str(self.coworker)

    @property
    def action_key(self) -> str:
        return SURPRISE.key.build(self.user_id, self.week_start)
