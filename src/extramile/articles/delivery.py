"""Sending the day's mailings: e-mails into the outbox, letters marked posted.

A mailing goes on its day whether or not the rep reviewed it. An e-mail is a personal message
from the rep (queued through ``outbox.compose.personal_email`` under the key ``article:<id>``, so
a second run queues nothing twice); the outbox adds the unsubscribe link, the headers and the
company's postal address, and its ``send_batch`` does the SMTP work. A letter (no e-mail, or the
customer prefers post) is marked posted and prints from the letters page
(``/articles/letters/?date=…``) with the day's other letters.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Substr

from extramile.accounts.models import Company, User
from extramile.articles.interests import topics_for
from extramile.articles.matching import why
from extramile.articles.models import Article, ArticleMailing, Channel, MailingStatus
from extramile.articles.planning import period_of, plan_mailings
from extramile.book.models import Customer
from extramile.outbox.models import OutboxMessage
from extramile.outbox.models import Status as OutboxStatus


def subject(article: Article) -> str:
    return f"Thought of you: {article.title}"[:300]


def letter_text(customer: Customer, article: Article, owner: User, topics: set[str]) -> str:
    """What the rep says: the article, and why it fits this customer."""
    shared = why(topics, article)
    fits = (
        f"I know {' and '.join(shared)} matter{'s' if len(shared) == 1 else ''} to you, "
        "so this one made me think of you."
        if shared
        else "It made me think of you, and I would like to hear what you make of it."
    )
    parts = [
        f"Dear {customer.greeting_name},",
        "",
        "I came across this article:",
        "",
        article.title,
    ]
    parts.append(article.url)
    if article.summary:
        parts += ["", article.summary]
    parts += ["", fits, "", "All the best,", owner.get_full_name() or owner.username]
    return "\n".join(parts)


def due_mailings(day: dt.date, owners: QuerySet[User]) -> QuerySet[ArticleMailing]:
    return ArticleMailing.objects.filter(
        owner__in=owners,
        status=MailingStatus.PLANNED,
        planned_on__lte=day,
        article__isnull=False,
    )


def send_due(
    day: dt.date, now: dt.datetime, owners: QuerySet[User] | None = None
) -> dict[str, int]:
    """Plan the day if needed, then queue its e-mails and post its letters. Returns counts."""
    owners = owners if owners is not None else User.objects.filter(is_active=True)
    plan_mailings(day, day, now, owners, today=day)
    counts: Counter[str] = Counter()
    mailings = due_mailings(day, owners).select_related("customer", "article", "owner")
    batch = list(mailings.order_by("planned_on", "id")[:50_000])
    topics = topics_for(m.customer_id for m in batch)
    for mailing in batch:
        assert mailing.article is not None
        text = letter_text(
            mailing.customer, mailing.article, mailing.owner, topics.get(mailing.customer_id, set())
        )
        if mailing.channel == Channel.POST:
            counts["posted"] += mark(mailing, MailingStatus.POSTED, day, now)
            continue
        try:
            with transaction.atomic():
                message = personal_email(mailing, text, now)
                counts["emailed"] += mark(mailing, MailingStatus.QUEUED, day, now, message.pk)
        except ValidationError as error:
            ArticleMailing.objects.filter(pk=mailing.pk, status=MailingStatus.PLANNED).update(
                status=MailingStatus.SKIPPED, reason=" ".join(error.messages)[:300], updated_at=now
            )
            counts["skipped"] += 1
    counts["held_back"] = ArticleMailing.objects.filter(
        owner__in=owners,
        status=MailingStatus.HELD_BACK,
        planned_on__lte=day,
        planned_on__gte=period_of(day, Company.get().article_every_months)[0],
    ).count()
    return {key: counts.get(key, 0) for key in ("emailed", "posted", "skipped", "held_back")}


def personal_email(mailing: ArticleMailing, text: str, now: dt.datetime) -> OutboxMessage:
    from extramile.outbox.compose import personal_email as compose

    assert mailing.article is not None
    return compose(
        key=f"article:{mailing.pk}",
        kind="article",
        sender=mailing.owner,
        customer=mailing.customer,
        subject=subject(mailing.article),
        text=text,
        now=now,
    )


def mark(
    mailing: ArticleMailing,
    status: str,
    day: dt.date,
    now: dt.datetime,
    message_id: int | None = None,
) -> int:
    return ArticleMailing.objects.filter(pk=mailing.pk, status=MailingStatus.PLANNED).update(
        status=status, sent_at=now, sent_on=day, outbox_message_id=message_id, updated_at=now
    )


def sync_outbox(now: dt.datetime) -> dict[str, int]:
    """Carry the outbox's verdict back: queued mailings whose e-mail went are sent; those whose
    e-mail was cancelled (an unsubscribe, say) or failed for good are skipped with the reason."""
    queued = ArticleMailing.objects.filter(status=MailingStatus.QUEUED)
    messages = OutboxMessage.objects.filter(pk=OuterRef("outbox_message_id"))
    sent = queued.filter(
        outbox_message_id__in=OutboxMessage.objects.filter(status=OutboxStatus.SENT).values("pk")
    ).update(
        status=MailingStatus.SENT,
        sent_at=Subquery(messages.values("sent_at")[:1]),
        updated_at=now,
    )
    gone = queued.filter(
        outbox_message_id__in=OutboxMessage.objects.filter(
            status__in=[OutboxStatus.CANCELLED, OutboxStatus.FAILED]
        ).values("pk")
    ).update(
        status=MailingStatus.SKIPPED,
        reason=Substr(Subquery(messages.values("error")[:1]), 1, 300),
        updated_at=now,
    )
    return {"sent": sent, "not_sent": gone}
