"""What a rep does with the week's mailings before they go: swap the article, or skip one."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from extramile.articles.interests import topics_for
from extramile.articles.matching import Candidate, Library, had_articles
from extramile.articles.models import Article, ArticleMailing, MailingStatus

OPEN = [MailingStatus.PLANNED, MailingStatus.HELD_BACK]
GONE = "This mailing has gone out already (or was skipped); it cannot be changed."
ALTERNATIVES = 8


def alternatives(
    mailing: ArticleMailing, library: Library | None = None, limit: int = ALTERNATIVES
) -> list[tuple[Candidate, list[str]]]:
    """The next-best articles for this mailing, best first: never one the customer has had."""
    library = library or Library.load()
    customer_id = mailing.customer_id
    topics = topics_for([customer_id]).get(customer_id, set())
    had = had_articles([customer_id]).get(customer_id, set())
    return library.ranked(topics, had, mailing.customer.language)[:limit]


def swap(mailing: ArticleMailing, article_id: int, now: dt.datetime) -> ArticleMailing:
    article = Article.objects.filter(pk=article_id).first()
    if article is None or not article.active:
        raise ValidationError("Choose an article from the library (an active one).")
    if article.pk == mailing.article_id:
        return mailing
    had = had_articles([mailing.customer_id]).get(mailing.customer_id, set())
    if article.pk in had:
        raise ValidationError(
            f"{mailing.customer.full_name} has had “{article.title}” already; choose another."
        )
    try:
        with transaction.atomic():
            updated = ArticleMailing.objects.filter(pk=mailing.pk, status__in=OPEN).update(
                article=article, swapped=True, updated_at=now
            )
    except IntegrityError:
        raise ValidationError(
            f"{mailing.customer.full_name} has had “{article.title}” already; choose another."
        ) from None
    if not updated:
        raise ValidationError(GONE)
    mailing.refresh_from_db()
    return mailing


def skip(mailing: ArticleMailing, reason: str, now: dt.datetime) -> ArticleMailing:
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError("Say why you skip it (a few words are enough).")
    updated = ArticleMailing.objects.filter(pk=mailing.pk, status__in=OPEN).update(
        status=MailingStatus.SKIPPED, reason=reason[:300], updated_at=now
    )
    if not updated:
        raise ValidationError(GONE)
    mailing.refresh_from_db()
    return mailing
