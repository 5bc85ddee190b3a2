"""Sending: e-mails through the outbox, letters into the card batch, the follow-up call a week later, the CLI."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from extramile.agenda import engine, services
from extramile.agenda.models import Action
from extramile.articles.delivery import send_due, sync_outbox
from extramile.articles.models import ArticleMailing, MailingStatus
from extramile.articles.planning import slot_day
from extramile.book.models import Contact, EmailAddress
from extramile.cards.models import Card
from extramile.outbox.models import OutboxMessage
from extramile.outbox.models import Status as OutboxStatus
from tests.articles.helpers import article, interested
from tests.conftest import NOW, make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(db):
    return [article("Winter tyres", "cars, safety", summary="Grip when it counts.")]


def test_an_email_from_the_rep_goes_through_the_outbox_once(owner, customer, library):
    EmailAddress.objects.create(customer=customer, address="anna@example.com")
    interested(customer, "cars")
    day = slot_day(customer, NOW.date())
    assert send_due(day, NOW) == {"emailed": 1, "posted": 0, "skipped": 0, "held_back": 0}
    mailing = ArticleMailing.objects.get(customer=customer)
    assert mailing.status == MailingStatus.QUEUED and mailing.sent_on == day
    message = OutboxMessage.objects.get(key=f"article:{mailing.pk}")
    assert message.to_address == "anna@example.com"
    assert "Winter tyres" in message.subject
    assert "https://example.com/winter-tyres" in message.text
    assert "Grip when it counts." in message.text
    assert "cars matters to you" in message.text
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert send_due(day, NOW)["emailed"] == 0  # a second run queues nothing
    assert OutboxMessage.objects.count() == 1
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.SENT, sent_at=NOW)
    assert sync_outbox(NOW)["sent"] == 1
    mailing.refresh_from_db()
    assert mailing.status == MailingStatus.SENT


def test_no_email_address_means_a_letter_in_the_card_batch(owner, customer, library):
    day = slot_day(customer, NOW.date())
    assert send_due(day, NOW)["posted"] == 1
    mailing = ArticleMailing.objects.get()
    assert mailing.status == MailingStatus.POSTED
    letter = Card.objects.get(article_mailing=mailing)
    assert letter.occasion.code == "article" and letter.mail_by == day
    assert "Winter tyres" in letter.message and letter.message.startswith("Dear Anna")


def test_a_follow_up_call_a_week_later_needs_the_value_answer(owner, customer, library):
    day = slot_day(customer, NOW.date())
    send_due(day, NOW)
    mailing = ArticleMailing.objects.get()
    engine.plan(day + dt.timedelta(days=6), NOW)
    assert not Action.objects.filter(key=f"article-follow-up:{mailing.pk}").exists()
    engine.plan(day + dt.timedelta(days=7), NOW)
    action = Action.objects.get(key=f"article-follow-up:{mailing.pk}")
    assert action.title == "Call Anna Smith about “Winter tyres”"
    assert action.due_on == day + dt.timedelta(days=7)
    assert action.detail.startswith("Talk about how it applies to their situation")
    with pytest.raises(ValidationError, match="more value"):
        services.complete(action, NOW)
    services.complete(action, NOW, value_answer="Their fleet needs new tyres before December.")
    assert Contact.objects.filter(customer=customer, channel="call").exists()


def test_cli_import_list_and_send(owner, customer, tmp_path, capsys):
    feed = tmp_path / "lib.csv"
    feed.write_text("title,url,topics\nA good read,https://example.com/read,books\n")
    call_command("articles", "import", str(feed))
    assert "1 added" in capsys.readouterr().out
    call_command("articles", "import", str(feed))
    assert "0 added, 1 already in the library" in capsys.readouterr().out
    day = slot_day(customer, NOW.date())
    call_command("articles", "list", "--date", day.isoformat(), "--user", "olivia")
    out = capsys.readouterr().out
    assert "Anna Smith\tA good read\tPost\tPlanned" in out
    with pytest.raises(CommandError, match="not a date"):
        call_command("articles", "list", "--date", "tomorrow")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("articles", "import", str(tmp_path / "missing.csv"))
    call_command("articles", "send", "--date", day.isoformat())
    assert "1 posted" in capsys.readouterr().out
    make_customer(owner, "Bo", "Ng")
