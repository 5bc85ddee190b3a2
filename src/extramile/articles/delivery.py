"""Sending the day's mailings: e-mails into the outbox, letters into the card batch.

A mailing goes on its day whether or not the rep reviewed it. An e-mail is a personal message
from the rep (queued through ``outbox.compose.personal_email`` under the key ``article:<id>``, so
a second run queues nothing twice); the outbox adds the unsubscribe link, the headers and the
company's postal address, and its ``send_batch`` does the SMTP work.

A letter (no e-mail, or the customer prefers post) joins the rep's **card batch**: a ``Card`` of
the built-in occasion ``article`` (source ``article``), linked to the mailing by
``Card.article_mailing`` (unique, so a second run creates no second letter), due (mail-by) on the
mailing's day or, when that has passed, the send day, moved to a working day. The letter's text is
written at once (the same words as the e-mail), so the card is *written*: it prints in the cards
PDF, envelopes, labels and CSV with the batch and is marked mailed with it. The mailing is
*posted* as soon as its letter is in the batch; a letter skipped on the Cards page skips the
mailing at the next ``sync_letters``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Concat, Substr

from extramile import business_hours
from extramile.accounts.models import Company, User
from extramile.articles.interests import topics_for
from extramile.articles.matching import why
from extramile.articles.models import Article, ArticleMailing, Channel, MailingStatus
from extramile.articles.planning import period_of, plan_mailings
from extramile.book.models import Customer
from extramile.cards.models import Card, CardStatus, Occasion, OccasionPreference, Source
from extramile.cards.planning import NO_POST
from extramile.outbox.models import OutboxMessage
from extramile.outbox.models import Status as OutboxStatus

# The built-in occasion of articles by post (cards migration 0006).
LETTER = "article"
LETTER_OPTED_OUT = "The customer opted out of articles by post."
NO_LETTER_OCCASION = "Articles by post are switched off: the “Article by post” occasion is gone."
SAME_DAY = "Another article goes to this customer by post the same day."
# Letters skipped on the Cards page are looked for among the mailings posted this many days back.
SYNC_DAYS = 60


def letter_occasion() -> Occasion | None:
    """The article-by-post occasion (an admin may change its wording, never its code)."""
    return Occasion.objects.filter(code=LETTER, source=Source.ARTICLE).first()


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
    letters = Letters.for_batch(batch)
    for mailing in batch:
        assert mailing.article is not None
        text = letter_text(
            mailing.customer, mailing.article, mailing.owner, topics.get(mailing.customer_id, set())
        )
        if mailing.channel == Channel.POST:
            counts[letters.post(mailing, text, day, now)] += 1
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


class Letters:
    """Puts post mailings into the card batch; reads the occasion and the opt-outs once."""

    def __init__(self, occasion: Occasion | None, opted_out: set[int]) -> None:
        self.occasion = occasion
        self.opted_out = opted_out
        self.hours: dict[int, business_hours.BusinessHours] = {}

    @classmethod
    def for_batch(cls, batch: list[ArticleMailing]) -> Letters:
        occasion = letter_occasion()
        posted = [m.customer_id for m in batch if m.channel == Channel.POST]
        opted_out: set[int] = set()
        if occasion is not None and posted:
            opted_out = set(
                OccasionPreference.objects.filter(
                    occasion=occasion, wants_card=False, customer_id__in=posted
                ).values_list("customer_id", flat=True)
            )
        return cls(occasion, opted_out)

    def mail_by(self, mailing: ArticleMailing, day: dt.date) -> dt.date:
        """The mailing's day, or the send day when that has passed, moved to a working day."""
        if mailing.owner_id not in self.hours:
            self.hours[mailing.owner_id] = business_hours.for_user(mailing.owner)
        return self.hours[mailing.owner_id].next_working_day(max(mailing.planned_on, day))

    def post(self, mailing: ArticleMailing, text: str, day: dt.date, now: dt.datetime) -> str:
        """The mailing's letter joins the card batch (written, ready to print) and the mailing is
        posted; or the mailing is skipped with the reason. Returns "posted" or "skipped"."""
        customer = mailing.customer
        occasion = self.occasion
        on = self.mail_by(mailing, day)
        reason = ""
        if occasion is None:
            reason = NO_LETTER_OCCASION
        elif customer.do_not_mail:
            reason = NO_POST
        elif customer.pk in self.opted_out:
            reason = LETTER_OPTED_OUT
        elif (
            Card.objects.filter(
                customer=customer, occasion=occasion, occasion_on=on, household__isnull=True
            )
            .exclude(article_mailing=mailing)
            .exists()
        ):
            reason = SAME_DAY  # the per-person card index allows one letter a day
        if reason or occasion is None:
            skip(mailing, reason, now)
            return "skipped"
        with transaction.atomic():
            Card.objects.get_or_create(
                article_mailing=mailing,
                defaults={
                    "occasion": occasion,
                    "year": on.year,
                    "occasion_on": on,
                    "mail_by": on,
                    "owner_id": customer.owner_id,
                    "customer": customer,
                    # A letter is personal: addressed to the customer (at the household's address
                    # when it has one, see Customer.mailing_address), never a household card.
                    "household": None,
                    "status": CardStatus.WRITTEN,
                    "message": text,
                    "handwritten": False,
                    "written_at": now,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            mark(mailing, MailingStatus.POSTED, day, now)
        return "posted"


def skip(mailing: ArticleMailing, reason: str, now: dt.datetime) -> int:
    return ArticleMailing.objects.filter(pk=mailing.pk, status=MailingStatus.PLANNED).update(
        status=MailingStatus.SKIPPED, reason=reason[:300], updated_at=now
    )


def sync_letters(day: dt.date, now: dt.datetime) -> int:
    """Mailings posted in the last ``SYNC_DAYS`` days whose letter was skipped on the Cards page
    are skipped too, with the card's reason (so no follow-up call about a letter never sent, and
    the article may be offered again). Returns how many."""
    letters = Card.objects.filter(article_mailing_id=OuterRef("pk"), status=CardStatus.SKIPPED)
    posted = ArticleMailing.objects.filter(
        status=MailingStatus.POSTED, sent_on__gte=day - dt.timedelta(days=SYNC_DAYS)
    )
    skipped = posted.filter(
        pk__in=Card.objects.filter(
            article_mailing__in=posted.values("pk"), status=CardStatus.SKIPPED
        ).values("article_mailing_id")
    )
    return skipped.update(
        status=MailingStatus.SKIPPED,
        reason=Substr(
            Concat(
                Value("The letter was skipped on the Cards page: "),
                Subquery(letters.values("skip_reason")[:1]),
            ),
            1,
            300,
        ),
        updated_at=now,
    )


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
