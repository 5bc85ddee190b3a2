"""The article library, customers' explicit topics, and the mailings (one article per customer
every few months)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from extramile.accounts.scoping import OwnedQuerySet
from extramile.articles.topics import normalise_topics, split_topics


class Article(models.Model):
    title = models.CharField(max_length=200)
    url = models.URLField("URL", max_length=500, unique=True)
    summary = models.TextField(blank=True)
    topics = models.CharField(
        max_length=300, blank=True, help_text="Lower-case tags separated by commas."
    )
    language = models.CharField(max_length=10, blank=True, help_text="For example en, de, fr-CA.")
    active = models.BooleanField(default=True, help_text="Inactive articles are never mailed.")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def topic_list(self) -> list[str]:
        return split_topics(self.topics)

    def clean(self) -> None:
        self.title = " ".join(self.title.split())
        if not self.title:
            raise ValidationError({"title": "Give the article a title."})
        self.topics = normalise_topics(self.topics)
        self.language = self.language.strip()


class CustomerTopic(models.Model):
    """A topic set by hand on the customer's page (on top of what their facts say)."""

    customer = models.ForeignKey(
        "book.Customer", on_delete=models.CASCADE, related_name="article_topics"
    )
    topic = models.CharField(max_length=60)

    class Meta:
        ordering = ["topic"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "topic"], name="customer_topic_once")
        ]

    def __str__(self) -> str:
        return self.topic


class MailingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD_BACK = "held_back", "Held back"
    SKIPPED = "skipped", "Skipped"
    QUEUED = "queued", "Queued (in the outbox)"
    SENT = "sent", "Sent"
    POSTED = "posted", "Posted"


# Gone to the customer (or on its way): these count as "had this article" and start the follow-up.
DELIVERED = [MailingStatus.QUEUED, MailingStatus.SENT, MailingStatus.POSTED]


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    POST = "post", "Post"


class ArticleMailing(models.Model):
    """One article to one customer on one day."""

    customer = models.ForeignKey(
        "book.Customer", on_delete=models.CASCADE, related_name="article_mailings"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="article_mailings"
    )
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.PROTECT, related_name="mailings"
    )
    planned_on = models.DateField(help_text="The day it goes out.")
    status = models.CharField(
        max_length=10, choices=MailingStatus.choices, default=MailingStatus.PLANNED
    )
    channel = models.CharField(max_length=5, choices=Channel.choices, default=Channel.EMAIL)
    swapped = models.BooleanField(default=False, help_text="The rep chose the article by hand.")
    reason = models.CharField(
        max_length=300, blank=True, help_text="Why it is skipped or held back."
    )
    outbox_message_id = models.BigIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_on = models.DateField(null=True, blank=True, help_text="The day it went out.")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["planned_on", "id"]
        indexes = [
            models.Index(fields=["owner", "planned_on"], name="mailing_owner_day"),
            models.Index(fields=["planned_on", "status"], name="mailing_day_status"),
            models.Index(fields=["sent_on"], name="mailing_sent_on"),
            models.Index(fields=["article", "status"], name="mailing_article_status"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["customer", "planned_on"], name="mailing_once_a_day"),
            # Never the same article twice to a customer (a skipped one was never sent).
            models.UniqueConstraint(
                fields=["customer", "article"],
                condition=Q(article__isnull=False) & ~Q(status="skipped"),
                name="mailing_article_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article or 'an article'} to {self.customer} on {self.planned_on}"
