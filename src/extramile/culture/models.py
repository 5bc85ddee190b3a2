"""Stories, kudos, the story of the week and the daily check-in: the records.

The rules (who sees which story, when Today asks for one, the check-in's privacy) are in
``services.py``, ``checkins.py`` and ``planners.py``; see docs/culture.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from extramile.accounts.models import User


class Visibility(models.TextChoices):
    TEAM = "team", "The whole company"
    PRIVATE = "private", "Only me"


class StoryQuerySet(models.QuerySet["Story"]):
    def visible_to(self, user: User) -> StoryQuerySet:
        """The company's stories and the user's own private ones; nothing for an inactive user."""
        if not user.is_active:
            return self.none()
        return self.filter(Q(visibility=Visibility.TEAM) | Q(author_id=user.pk))


class Story(models.Model):
    """One extra-mile story: what happened, what was done, how the customer (or co-worker) took
    it and the lesson. A private story is seen by its author only, everywhere."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stories"
    )
    customer = models.ForeignKey(
        "book.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="stories"
    )
    coworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stories_about",
        verbose_name="co-worker",
    )
    date = models.DateField(help_text="The day it happened (the author's local day).")
    situation = models.TextField(blank=True)
    what_done = models.TextField("what was done")
    reaction = models.TextField(blank=True)
    lesson = models.TextField(blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.TEAM
    )
    service_request = models.OneToOneField(
        "service.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="extra_mile_story",
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = StoryQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name_plural = "stories"
        indexes = [
            models.Index(fields=["author", "date"], name="story_author_date"),
            models.Index(fields=["-date", "-id"], name="story_feed"),
            models.Index(fields=["customer", "-date"], name="story_customer"),
        ]

    def __str__(self) -> str:
        # Django shows this where no rule is asked (the admin's "delete this user?" page lists the
        # stories that go with them): a private story's words are never in it.
        if self.is_private:
            return f"{self.author}: a private story"
        return f"{self.author}, {self.date}: {self.headline}"

    @property
    def headline(self) -> str:
        text = (self.what_done or self.situation).strip().splitlines()
        first = text[0] if text else ""
        return first if len(first) <= 90 else first[:89] + "…"

    @property
    def is_private(self) -> bool:
        return self.visibility == Visibility.PRIVATE


class Kudos(models.Model):
    """A colleague's thanks for a story: one per giver per story, never on one's own."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="kudos")
    giver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kudos_given"
    )
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "kudos"
        constraints = [
            models.UniqueConstraint(fields=["story", "giver"], name="kudos_once_per_giver"),
        ]
        indexes = [models.Index(fields=["giver", "created_at"], name="kudos_giver")]

    def __str__(self) -> str:
        return f"{self.giver} → story {self.story_id}"


class StoryOfTheWeek(models.Model):
    """The story a manager picked for the whole company's Today, one per week (Monday)."""

    week_start = models.DateField(unique=True, help_text="The Monday of the week.")
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="weeks_featured")
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    chosen_at = models.DateTimeField()

    class Meta:
        ordering = ["-week_start"]
        verbose_name_plural = "stories of the week"

    def __str__(self) -> str:
        return f"Week of {self.week_start}: {self.story_id}"


class CheckIn(models.Model):
    """“Am I doing my best?” — a score from 1 to 5 and an optional note, once a day (a second
    answer the same day replaces the first). The note and the score are the user's own: others
    only ever see a team's daily average."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="check_ins"
    )
    day = models.DateField(help_text="The user's local day.")
    score = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="check_in_once_a_day"),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="check_in_score_1_to_5"
            ),
        ]
        indexes = [models.Index(fields=["day"], name="check_in_day")]

    def __str__(self) -> str:
        # Neither the day nor the score: lists that name it (the admin's "delete this user?" page)
        # must not become a record of someone's days.
        return f"check-in {self.pk}"
