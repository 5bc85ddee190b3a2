"""Small builders for the articles tests."""

from __future__ import annotations

import datetime as dt

from extramile.articles.models import Article, ArticleMailing, CustomerTopic
from tests.conftest import NOW


def article(title: str, topics: str = "", language: str = "", **extra) -> Article:
    slug = title.lower().replace(" ", "-")
    return Article.objects.create(
        title=title,
        url=f"https://example.com/{slug}",
        topics=topics,
        language=language,
        created_at=NOW,
        **extra,
    )


def interested(customer, *topics: str) -> None:
    for topic in topics:
        CustomerTopic.objects.create(customer=customer, topic=topic)


def mailed(customer, art: Article, on: dt.date, status: str = "sent") -> ArticleMailing:
    return ArticleMailing.objects.create(
        customer=customer,
        owner=customer.owner,
        article=art,
        planned_on=on,
        status=status,
        sent_on=on,
        sent_at=NOW,
        created_at=NOW,
        updated_at=NOW,
    )
