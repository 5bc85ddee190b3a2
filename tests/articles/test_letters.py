"""Articles by post join the card batch: a written card of the occasion "article", one per
mailing, printed with the batch's cards, envelopes, labels and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from pypdf import PdfReader

from extramile.accounts.models import User
from extramile.agenda.models import Action
from extramile.articles.agenda import prepare_mailings
from extramile.articles.delivery import LETTER_OPTED_OUT, Letters, send_due, sync_letters
from extramile.articles.models import Article, ArticleMailing, Channel, MailingStatus
from extramile.articles.planning import plan_mailings, slot_day
from extramile.book.models import Customer, EmailAddress
from extramile.cards import output, services
from extramile.cards.agenda import card_batches
from extramile.cards.models import Card, CardStatus, Occasion, OccasionPreference
from extramile.cards.planning import NO_POST, plan_cards
from tests.articles.helpers import article, interested
from tests.conftest import NOW, make_customer

pytestmark = pytest.mark.django_db

ADDRESS = {"street": "12 Elm Street", "city": "Springfield", "region": "IL", "postal_code": "62704"}
LONG_URL = "https://example.com/" + "/".join(f"section-{i}-with-a-long-name" for i in range(12))
LONG_SUMMARY = " ".join(["Why winter tyres matter on cold mornings and icy roads."] * 12)


@pytest.fixture
def anna(owner) -> Customer:
    return make_customer(owner, "Anna", "Smith", **ADDRESS)


@pytest.fixture
def library(db):
    return [article("Winter tyres", "cars, safety", summary="Grip when it counts.")]


def long_article() -> Article:
    return Article.objects.create(
        title="Winter tyres", url=LONG_URL, summary=LONG_SUMMARY, topics="cars", created_at=NOW
    )


def pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages
    )


def letters() -> list[Card]:
    return list(Card.objects.filter(occasion__code="article").select_related("occasion"))


def post_day(customer: Customer) -> dt.date:
    day = slot_day(customer, NOW.date())
    assert day is not None
    return day


def test_the_built_in_occasion_exists(db):
    occasion = Occasion.objects.get(code="article")
    assert occasion.source == "article" and occasion.is_article
    assert occasion.name == "Article by post"
    assert occasion.sends_by_default and not occasion.handwritten


def test_a_post_mailing_becomes_one_written_card_in_the_batch(owner, anna, library):
    interested(anna, "cars")
    day = post_day(anna)
    assert send_due(day, NOW)["posted"] == 1
    mailing = ArticleMailing.objects.get()
    assert mailing.channel == Channel.POST and mailing.status == MailingStatus.POSTED
    assert mailing.sent_on == day
    [card] = letters()
    assert card.article_mailing_id == mailing.pk
    assert (card.mail_by, card.occasion_on, card.year) == (day, day, day.year)
    assert card.owner_id == owner.pk and card.customer_id == anna.pk and card.household_id is None
    assert card.status == CardStatus.WRITTEN and not card.handwritten
    assert card.message.startswith("Dear Anna,")
    for words in ("Winter tyres", "https://example.com/winter-tyres", "Grip when it counts."):
        assert words in card.message
    assert "cars matters to you" in card.message
    # A second run creates no second letter.
    assert send_due(day, NOW)["posted"] == 0
    assert len(letters()) == 1


def test_a_letter_due_on_a_past_day_goes_in_the_next_working_days_batch(owner, anna, library):
    day = post_day(anna)
    saturday = day + dt.timedelta(days=(5 - day.weekday()) % 7)
    plan_mailings(day, day, NOW, today=day)  # planned on its day, not sent until Saturday
    assert send_due(saturday, NOW)["posted"] == 1
    [card] = letters()
    assert card.mail_by == saturday + dt.timedelta(days=2)  # Monday
    assert card.occasion_on == card.mail_by


def test_an_email_mailing_makes_no_card(owner, anna, library):
    EmailAddress.objects.create(customer=anna, address="anna@example.com")
    assert send_due(post_day(anna), NOW)["emailed"] == 1
    assert letters() == []


def test_do_not_mail_is_skipped_and_makes_no_card(owner, anna, library):
    Customer.objects.filter(pk=anna.pk).update(do_not_mail=True)
    counts = send_due(post_day(anna), NOW)
    assert counts["posted"] == 0
    assert ArticleMailing.objects.get().status == MailingStatus.SKIPPED
    assert letters() == []


def test_a_post_mailing_of_a_customer_turned_do_not_mail_is_skipped(owner, anna, library):
    """The channel was post when planned; the customer asked for no post before it went."""
    day = post_day(anna)
    mailing = ArticleMailing.objects.create(
        customer=anna,
        owner=owner,
        article=library[0],
        planned_on=day,
        channel=Channel.POST,
        created_at=NOW,
        updated_at=NOW,
    )
    Customer.objects.filter(pk=anna.pk).update(do_not_mail=True)
    mailing = ArticleMailing.objects.select_related("customer", "owner").get(pk=mailing.pk)
    assert Letters.for_batch([mailing]).post(mailing, "Dear Anna", day, NOW) == "skipped"
    mailing.refresh_from_db()
    assert mailing.status == MailingStatus.SKIPPED and mailing.reason == NO_POST
    assert letters() == []


def test_an_opt_out_of_articles_by_post_skips_the_mailing(owner, anna, library):
    OccasionPreference.objects.create(
        customer=anna, occasion=Occasion.objects.get(code="article"), wants_card=False
    )
    assert send_due(post_day(anna), NOW)["skipped"] == 1
    mailing = ArticleMailing.objects.get()
    assert mailing.status == MailingStatus.SKIPPED and mailing.reason == LETTER_OPTED_OUT
    assert letters() == []


def test_the_card_planner_never_plans_article_letters(owner, anna, library):
    day = post_day(anna)
    plan = plan_cards(day - dt.timedelta(days=30), day + dt.timedelta(days=60), NOW)
    assert "article" not in plan.planned
    assert letters() == []


def test_the_letter_prints_with_the_batch(owner, anna, company):
    long_article()
    send_due(post_day(anna), NOW)
    batch = output.build(Card.objects.all(), company)
    assert len(batch.items) == 1
    cards_pdf = output.render("cards", batch, company, output.Options())
    reader = PdfReader(io.BytesIO(cards_pdf))
    assert len(reader.pages) == 1  # a long URL and summary stay on the letter's one page
    text = pdf_text(cards_pdf)
    assert "Dear Anna," in text and "Winter tyres" in text and "Thought of you" in text
    squeezed = "".join(text.split())
    assert LONG_URL in squeezed  # wrapped over lines, but all there
    assert "Why winter tyres matter on cold mornings" in text
    envelopes = pdf_text(output.render("envelopes", batch, company, output.Options()))
    labels = pdf_text(output.render("labels", batch, company, output.Options()))
    assert "Anna Smith" in envelopes and "12 Elm Street" in envelopes
    assert "Anna Smith" in labels and "12 Elm Street" in labels
    data = output.render("csv", batch, company, output.Options()).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(data)))
    assert len(rows) == 1 and LONG_URL in rows[0]["message"]


def test_the_letters_text_stays_inside_the_page(owner, anna, company):
    long_article()
    send_due(post_day(anna), NOW)
    batch = output.build(Card.objects.all(), company)
    page = PdfReader(io.BytesIO(output.render("cards", batch, company, output.Options()))).pages[0]
    width = float(page.mediabox.width)
    xs: list[float] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            xs.append(tm[4] * cm[0] + tm[5] * cm[2] + cm[4])

    page.extract_text(visitor_text=visit)
    assert xs and max(xs) < width * 0.9


def test_today_counts_the_letter_in_the_card_batch(owner, anna, library):
    day = post_day(anna)
    send_due(day, NOW)
    [spec] = list(card_batches(day, NOW, User.objects.filter(pk=owner.pk)))
    assert spec.title.endswith(": Article by post 1")
    assert spec.title.startswith("Mail 1 card ")


def test_marking_the_batch_mailed_mails_the_letter(owner, anna, library):
    day = post_day(anna)
    send_due(day, NOW)
    assert services.mark_mailed(Card.objects.filter(owner=owner, mail_by=day), NOW) == 1
    assert letters()[0].status == CardStatus.MAILED
    assert ArticleMailing.objects.get().status == MailingStatus.POSTED


def test_a_letter_skipped_on_the_cards_page_skips_the_mailing_and_its_follow_up(
    owner, anna, library
):
    day = post_day(anna)
    send_due(day, NOW)
    services.skip(letters()[0], "Moved abroad", NOW)
    assert sync_letters(day, NOW) == 1
    mailing = ArticleMailing.objects.get()
    assert mailing.status == MailingStatus.SKIPPED
    assert mailing.reason == "The letter was skipped on the Cards page: Moved abroad"
    assert sync_letters(day, NOW) == 0
    prepare_mailings(day + dt.timedelta(days=7), NOW, User.objects.filter(pk=owner.pk))
    assert not Action.objects.filter(key=f"article-follow-up:{mailing.pk}").exists()


def test_the_cards_page_lists_the_letter_with_the_article_title(client, owner, anna, library):
    day = post_day(anna)
    send_due(day, NOW)
    client.force_login(owner)
    page = client.get("/cards/", {"from": day.isoformat(), "to": day.isoformat()})
    html = page.content.decode()
    assert "Article by post" in html and "“Winter tyres”" in html and "Anna Smith" in html


def test_the_letters_page_is_gone(client, owner):
    client.force_login(owner)
    assert client.get("/articles/letters/").status_code == 404
