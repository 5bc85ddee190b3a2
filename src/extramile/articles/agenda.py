"""How articles reach the agenda: the mailings are planned a week ahead every night (a preparer),
and a week after each mailing a follow-up call lands on Today.

The follow-up (``article-follow-up:<mailing id>``) is a value-adding extra: Done needs the answer
to “how will this create more value for this customer?”, and Done records the call as a contact.
While the customer has an overdue promise the follow-up is not planned at all (expectations
first); the promise itself is on Today, and once it is met the follow-up appears, as long as the
mailing is less than ``LOOK_BACK`` days past its follow-up day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import QuerySet

from extramile.accounts.models import User
from extramile.agenda.models import Action, Priority
from extramile.agenda.registry import ActionSpec, completer, planner, preparer
from extramile.articles.habits import ARTICLE_FOLLOW_UP
from extramile.articles.interests import topics_for
from extramile.articles.matching import why
from extramile.articles.models import DELIVERED, ArticleMailing
from extramile.articles.planning import WINDOW_DAYS, plan_mailings
from extramile.book.expectations import held_back
from extramile.book.models import ContactChannel

FOLLOW_UP_AFTER = dt.timedelta(days=7)
LOOK_BACK = dt.timedelta(days=14)


def follow_up_key(mailing_id: int) -> str:
    return ARTICLE_FOLLOW_UP.key.build(mailing_id)


@preparer("articles")
def prepare_mailings(day: dt.date, now: dt.datetime, owners: QuerySet[User]) -> int:
    from extramile.articles.delivery import sync_letters

    sync_letters(day, now)  # a letter skipped on the Cards page gets no follow-up call
    return plan_mailings(day, day + dt.timedelta(days=WINDOW_DAYS - 1), now, owners, today=day)


def reason_line(shared: list[str]) -> str:
    if shared:
        return f"it matches their interest in {', '.join(shared)}"
    return "it was the best of the library for them (no shared topic)"


@planner("article_follow_ups")
def follow_ups(day: dt.date, now: dt.datetime, owners: QuerySet[User]) -> Iterator[ActionSpec]:
    mailings = (
        ArticleMailing.objects.filter(
            owner__in=owners,
            status__in=DELIVERED,
            sent_on__lte=day - FOLLOW_UP_AFTER,
            sent_on__gte=day - FOLLOW_UP_AFTER - LOOK_BACK,
            article__isnull=False,
        )
        .exclude(customer_id__in=held_back(day))
        .select_related("customer", "article")
        .order_by("id")
    )
    rows = list(mailings)
    topics = topics_for(m.customer_id for m in rows)
    for mailing in rows:
        assert mailing.article is not None and mailing.sent_on is not None
        shared = why(topics.get(mailing.customer_id, set()), mailing.article)
        due = mailing.sent_on + FOLLOW_UP_AFTER
        yield ActionSpec(
            key=follow_up_key(mailing.pk),
            kind=ARTICLE_FOLLOW_UP.kind,
            owner_id=mailing.owner_id,
            customer_id=mailing.customer_id,
            title=f"Call {mailing.customer.full_name} about “{mailing.article.title}”",
            detail=f"Talk about how it applies to their situation: {reason_line(shared)}.",
            due_on=due,
            expires_on=due + LOOK_BACK,
            priority=Priority.NORMAL,
        )


@completer(ARTICLE_FOLLOW_UP.kind)
def follow_up_done(action: Action, now: dt.datetime, outcome: str) -> None:
    """The call about the article happened: a real contact."""
    from extramile.book.services import record_contact

    if action.customer is not None:
        record_contact(
            action.customer, now, ContactChannel.CALL, action.owner, summary=action.title[:300]
        )
