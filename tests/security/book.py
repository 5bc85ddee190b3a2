"""A book with one of everything, for the outsider sweep.

Every object the product scopes to a rep's book is made for one rep (``olivia``), made through the
services where they exist. Their ids start at ``FIRST_ID`` in every table (so one id, tried on a
route, names an object of whatever kind the route takes), and every text that identifies them
holds ``MARK`` (so a response that shows one is found by looking for one word). Company-wide
records that anyone may see (a team story, an idea, an article, a competitor) get ids from
``SHARED_ID`` and carry no mark: the sweep reaches routes over them too, and they may be shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.db import connection
from django.db.models import Model

from extramile import clock
from extramile.accounts.models import User
from extramile.agenda.models import Action, Priority
from extramile.api.tokens import issue
from extramile.articles.models import Article, ArticleMailing, CustomerTopic
from extramile.book import services as book
from extramile.book.models import Customer, Fact, Household, KeyDate, Promise, Referral
from extramile.cards.models import Card, CardSigner, CardTemplate, Occasion, OccasionPreference
from extramile.culture import checkins
from extramile.culture.models import Story, Visibility
from extramile.culture.services import save_story
from extramile.feeds import links
from extramile.ideas.models import Idea, IdeaUse, Surprise, WeeklyIntention
from extramile.imports.models import Upload
from extramile.inbox.services import receive
from extramile.mailsync import crypto
from extramile.mailsync.models import MailboxConnection, SeenMessage
from extramile.offline.models import PageRequest
from extramile.ops import heartbeat
from extramile.outbox.models import OutboxMessage, Unsubscribe
from extramile.outreach import outcomes
from extramile.playbook.models import Competitor, MoveCheck
from extramile.playbook.services import save_opportunity
from extramile.replies.models import EmailThread, Reply, ReplyTemplate
from extramile.service import services as service
from extramile.timeline.models import Note
from extramile.value.lunches import sync_action
from extramile.value.models import Invitation, ValueScore

# Tables that point at users or at the book but hold no rep's book, and why.
NOT_IN_A_BOOK = {
    "admin.LogEntry": "the admin's own history of its changes (staff only)",
    "ideas.Idea": "the company's idea bank: everyone's",
    "ideas.IdeaVote": "a vote on the company's idea bank (the counts are everyone's)",
    "culture.Kudos": "thanks on a team story, which the whole company reads",
    "culture.StoryOfTheWeek": "the company's story of the week",
    "playbook.Competitor": "the company's competitor notes",
    "imports.ColumnMapping": "a saved column layout, shared by everyone who imports",
    "exports.AuditRecord": "the audit trail, read in the admin (staff only)",
    "api.IdempotentRequest": "a POST's stored answer, replayed only to the same token",
    "rollups.OwnerRollup": "figures counted per owner, read only through the scoped pages",
    "team.RepDay": "a rep's counts per day for the Team page, read only through its scoped reps",
    "team.RepDayReply": "a rep's reply times per day for the Team page, read the same way",
}

MARK = "Qzzyx"  # in every identifying text of the book; never in anything the sweep sends
FIRST_ID = 7001
SHARED_ID = 9001


def start_ids_at(models: list[type[Model]], first: int) -> None:
    """The next row of each model gets id ``first`` (SQLite's sqlite_sequence, PostgreSQL's
    identity sequences)."""
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            if connection.vendor == "sqlite":
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, first - 1]
                )
            else:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                    [connection.ops.quote_name(table), first - 1],
                )


def lower_ids_again(models: list[type[Model]], below: int) -> None:
    """PostgreSQL's sequences do not roll back with the test: put each back under ``below``, so
    the next test's fixtures do not get ids in the sweep's range (or the book's own ids)."""
    if connection.vendor == "sqlite":
        return  # sqlite_sequence is a table: the rollback restores it
    with connection.cursor() as cursor:
        for model in models:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "  # noqa: S608 — a table name
                f"coalesce((SELECT max(id) FROM {table} WHERE id < %s), 0) + 1, false)",
                [table, below],
            )


def all_models() -> list[type[Model]]:
    return [
        m
        for m in apps.get_models()
        if m._meta.managed
        and not m._meta.proxy
        and m._meta.pk.get_internal_type().endswith("AutoField")
    ]


@dataclass
class Book:
    owner: User
    customer: Customer
    shared_story: Story
    feed_secrets: dict[int, str] = field(default_factory=dict)


def build(owner: User, now: dt.datetime, files: Path) -> Book:
    """Olivia's book, one of everything (see the module's docstring)."""
    start_ids_at(all_models(), FIRST_ID)
    heartbeat.beat("sweep-worker", clock.now())  # a worker is up: /readyz answers 200, not 503
    day = owner.local_date(now)
    monday = day - dt.timedelta(days=day.weekday())
    m = MARK

    house = Household.objects.create(name=f"The {m}ham family", street="1 Elm St", city="Albany")
    anna = Customer.objects.create(
        owner=owner,
        first_name=f"{m}anna",
        last_name=f"{m}smith",
        household=house,
        street="1 Elm St",
        city="Albany",
        postal_code="12207",
        country="US",
        birth_month=day.month,
        birth_day=day.day,
    )
    bob = Customer.objects.create(owner=owner, first_name=f"{m}bob", last_name=f"{m}jones")
    book.add_email(anna, f"{m.lower()}.anna@example.org")
    book.add_phone(anna, "+1 212 555 7001", "US")
    book.relate(anna, "spouse", bob, note=f"{m} met at school")
    KeyDate.objects.create(customer=anna, kind="wedding", month=6, day=1, label=f"{m} wedding")
    Fact.objects.create(customer=anna, text=f"Loves {m}berries")
    sale = book.record_sale(anna, day, f"{m} tyres", Decimal("480.00"), owner, now)
    Referral.objects.create(referrer=anna, referred=bob, date=day, sale=sale)
    Promise.objects.create(
        customer=anna, description=f"Call back about {m}", due_on=day, created_by=owner
    )
    book.record_contact(anna, now, "call", owner, f"Talked about {m}")

    # Today: a call (with an outcome logged), an open call, the week's intention and its review,
    # a surprise, a lunch.
    def action(kind: str, key: str, **extra: object) -> Action:
        fields: dict[str, object] = {
            "owner": owner,
            "customer": anna,
            "title": f"{kind}: {m}anna",
            "detail": f"{m} detail",
            "due_on": day,
            "priority": Priority.NORMAL,
            "created_at": now,
            "updated_at": now,
        }
        return Action.objects.create(kind=kind, key=key, **{**fields, **extra})

    called = action("call", f"call:{owner.pk}:{day}:done")
    outcomes.all_fine(called, now, owner, f"{m} all fine")
    action("call", f"call:{owner.pk}:{day}")
    action("intention", f"intention:{owner.pk}:{monday}", customer=None)
    action("intention", f"intention-review:{owner.pk}:{monday}", customer=None)
    action("surprise", f"surprise:{owner.pk}:{monday}")
    WeeklyIntention.objects.create(
        user=owner,
        week_start=monday - dt.timedelta(days=7),
        text=f"{m} intention",
        created_at=now,
        updated_at=now,
    )

    occasion = Occasion.objects.filter(source="birthday").first() or Occasion.objects.create(
        code="birthday", name="Birthday", source="birthday"
    )
    Card.objects.create(
        occasion=occasion,
        year=day.year,
        occasion_on=day,
        mail_by=day,
        owner=owner,
        customer=anna,
        message=f"Happy birthday, {m}anna",
        created_at=now,
        updated_at=now,
    )
    OccasionPreference.objects.create(customer=anna, occasion=occasion, wants_card=False)
    CardTemplate.objects.create(occasion=occasion, user=owner, text=f"{m} wording")
    CardSigner.objects.create(user=owner, printed_name=f"{m} Olivia", title=f"{m} advisor")

    request = service.open_request(
        customer=anna, subject=f"{m} squeaky brakes", opened_by=owner, now=now, went_wrong=True
    )
    service.resolve(request, owner, now, "Fixed", story=f"{m} private draft story")
    service.open_request(customer=anna, subject=f"{m} second request", opened_by=owner, now=now)
    save_story(owner, now, what_done=f"{m} private story", visibility=Visibility.PRIVATE)

    message = receive(
        channel="email",
        from_address=f"{m.lower()}.anna@example.org",
        received_at=now,
        summary=f"{m} summary",
        now=now,
        owner=owner,
        from_name=f"{m}anna",
    ).message
    EmailThread.objects.create(
        message=message, mail_id=f"<{m.lower()}@example.org>", subject=f"{m} subject"
    )
    Reply.objects.create(message=message, channel="email", user=owner, at=now, text=f"{m} reply")
    Note.objects.create(customer=anna, author=owner, at=now, text=f"{m} note")
    PageRequest.objects.create(
        user=owner,
        key=f"{m}-key",
        path="/",
        body_hash="0" * 64,
        status=200,
        content=f"{m} answer",
        created_at=now,
    )
    OutboxMessage.objects.create(
        key=f"sweep:{owner.pk}",
        to_address=f"{m.lower()}.anna@example.org",
        from_address="crm@example.com",
        subject=f"{m} subject",
        text=f"{m} text",
        message_id="<sweep@example.com>",
        queued_at=now,
        customer=anna,
        user=owner,
    )
    Unsubscribe.objects.create(customer=bob, at=now, how="page")

    start_ids_at([Article, Idea, Competitor, Story, ReplyTemplate], SHARED_ID)
    ReplyTemplate.objects.create(  # the company's, offered to every rep
        name="Thanks", body="Thank you for your message.", created_at=now, updated_at=now
    )
    article = Article.objects.create(
        title="Winter driving", url="https://example.com/w", created_at=now
    )
    idea = Idea.objects.create(
        text="Bring coffee", text_key="bring coffee", author=owner, created_at=now
    )
    competitor = Competitor.objects.create(name="Rival Motors", created_by=owner, updated_at=now)
    shared_story = save_story(owner, now, what_done="Drove the spare key over", customer=anna)

    ArticleMailing.objects.create(
        customer=anna, owner=owner, article=article, planned_on=day, created_at=now, updated_at=now
    )
    CustomerTopic.objects.create(customer=anna, topic=f"{m.lower()}topic")
    ValueScore.objects.create(
        customer=anna, score=9.5, rank=1, rank_in_book=1, book_size=2, tier="A", computed_at=now
    )
    invitation = Invitation.objects.create(
        customer=anna,
        owner=owner,
        period_start=day,
        suggested_on=day,
        notes=f"{m} notes",
        created_at=now,
        updated_at=now,
    )
    sync_action(invitation, now)
    IdeaUse.objects.create(idea=idea, user=owner, at=now, customer=anna)
    Surprise.objects.create(
        user=owner,
        week_start=monday,
        proposed_on=day,
        reason="loyal",
        reason_text=f"{m} reason",
        customer=anna,
        idea=idea,
        created_at=now,
    )
    checkins.check_in(owner, now, 2, f"{m} note")
    opportunity = save_opportunity(
        owner,
        {"title": f"{m} fleet deal", "stage": "lead", "competitor": str(competitor.pk)},
        now,
        customer=anna,
    )
    MoveCheck.objects.filter(opportunity=opportunity).update(note=f"{m} move")
    if not MoveCheck.objects.filter(opportunity=opportunity).exists():
        MoveCheck.objects.create(
            opportunity=opportunity, move="takeaway", note=f"{m} move", updated_at=now
        )

    upload = files / "olivia.csv"
    upload.write_text(f"first_name,last_name\n{m}carl,{m}cole\n", encoding="utf-8")
    rejects = files / "olivia.rejects.csv"
    rejects.write_text(f"first_name,problem\n{m}dan,no last name\n", encoding="utf-8")
    Upload.objects.create(
        user=owner,
        owner=owner,
        filename=f"{m}.csv",
        path=str(upload),
        size=upload.stat().st_size,
        sha256="0" * 64,
        kind="csv",
        created_at=now,
        result={"rejects_path": str(rejects)},
    )
    MailboxConnection.objects.create(
        user=owner,
        host="imap.example.org",
        port=993,
        username=f"{m.lower()}@example.org",
        password_encrypted=crypto.encrypt("secret"),
        sent_folder="Sent",
        since=now,
        connected_at=now,
        updated_at=now,
    )
    SeenMessage.objects.create(
        user=owner,
        folder="inbox",
        key=f"{m}-1",
        dated=now,
        outcome="inbound",
        seen_at=now,
        inbound=message,
    )
    issue(f"{m} token", now, user=owner)
    _, secret = links.issue(owner, now)
    return Book(
        owner=owner, customer=anna, shared_story=shared_story, feed_secrets={owner.pk: secret}
    )
