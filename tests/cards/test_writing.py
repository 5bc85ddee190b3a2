"""Writing a card: the draft and its fields, the suggestions, the guard, and the card's life."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from extramile.agenda.engine import plan
from extramile.agenda.models import Action, ActionStatus
from extramile.book.models import Fact, Household, Sale
from extramile.book.services import relate
from extramile.cards import messages, services
from extramile.cards.models import Card, CardStatus, CardTemplate, Occasion
from extramile.cards.planning import plan_cards
from tests.conftest import NOW, make_customer

WINDOW = (dt.date(2026, 11, 23), dt.date(2026, 12, 7))
LATER = NOW + dt.timedelta(hours=1)


def birthday_card(owner, first="Anna", last="Smith", day=10, **extra) -> Card:
    person = make_customer(owner, first, last, birth_month=12, birth_day=day, **extra)
    plan_cards(*WINDOW, NOW, occasions=Occasion.objects.filter(code="birthday"))
    return Card.objects.get(customer=person)


@pytest.fixture
def card(owner) -> Card:
    return birthday_card(owner, preferred_name="Annie", birth_year=1980)


@pytest.fixture
def sailor(card) -> Card:
    Fact.objects.create(
        customer=card.customer,
        text="Sails a small boat on weekends",
        category="hobby",
        tags="interest, sailing",
        pinned=True,
    )
    return card


def test_the_draft_fills_the_template_fields(card, owner):
    owner.first_name, owner.last_name = "Olivia", "Park"
    owner.save()
    CardTemplate.objects.create(
        occasion=card.occasion,
        user=owner,
        text="Dear {preferred_name}, {age} already! {last_purchase} From {rep_name} at {company}.",
    )
    assert messages.draft(card) == "Dear Annie, 46 already! From Olivia Park at Harbour Motors."


def test_a_template_reaches_nothing_but_its_fields(card):
    assert messages.check_template("Hi {preferred_name.__class__}") is not None
    assert "Unknown field {customer}" in (messages.check_template("{customer} hi") or "")
    assert messages.check_template("Hi {preferred_name") is not None
    # Even if a bad template were stored, rendering leaves unknown fields empty.
    assert messages.render("{card.customer.owner.password}x", {"preferred_name": "A"}) == "x"


def test_a_household_card_greets_the_adults_and_is_addressed_to_the_household(owner):
    home = Household.objects.create(name="The Smith Family")
    anna = make_customer(owner, "Anna", "Smith", household=home, birth_year=1980)
    make_customer(owner, "Ben", "Smith", household=home, birth_year=1979)
    make_customer(owner, "Cara", "Smith", household=home, birth_year=2015)
    plan_cards(
        dt.date(2026, 12, 14),
        dt.date(2026, 12, 20),
        NOW,
        occasions=Occasion.objects.filter(code="christmas"),
    )
    card = Card.objects.get(household=home)
    fields = messages.card_fields(card)
    assert fields["preferred_name"] == "Ben and Anna"
    assert fields["recipient"] == "The Smith Family"
    assert card.customer == anna


def test_suggestions_draw_on_facts_family_and_the_last_purchase(sailor):
    daughter = make_customer(sailor.owner, "Mia", "Smith")
    relate(sailor.customer, "parent", daughter)
    Sale.objects.create(
        customer=sailor.customer, date=dt.date(2025, 3, 1), description="Honda CR-V"
    )
    found = messages.suggestions(sailor, NOW)
    assert found[0].about == "Sails a small boat on weekends"
    assert "sailing" in found[0].line
    assert any("Mia" in s.line for s in found)
    assert any("Honda CR-V" in s.line for s in found)


def test_the_guard_refuses_the_template_draft_as_it_is(card):
    verdict = services.check(card, messages.draft(card))
    assert not verdict.ok and "nothing added" in verdict.reason


def test_the_guard_refuses_a_generic_line(sailor):
    draft = messages.draft(sailor)
    verdict = services.check(sailor, draft + "\nHave a great day!")
    assert not verdict.ok and "only greetings and praise" in verdict.reason
    assert "nothing about Annie" in verdict.reason


def test_the_guard_accepts_a_line_about_the_recipient(sailor):
    message = messages.draft(sailor).replace(
        "With warm wishes,", "I hope the sailing season treats you well.\n\nWith warm wishes,"
    )
    verdict = services.check(sailor, message)
    assert verdict.ok, verdict.reason
    assert verdict.mentions == ("sailing (their note “Sails a small boat on weekends”)",)
    assert verdict.reason.startswith("It mentions sailing")


def test_a_long_line_of_the_reps_own_needs_something_of_theirs(card):
    message = (
        "Dear Annie,\n\nIt was lovely to bump into you at the farmers market last Saturday morning."
    )
    verdict = services.check(card, message)
    assert not verdict.ok and "Nothing in it is about Annie" in verdict.reason
    # What the rep knows goes on the customer's page; then the same line is about her.
    Fact.objects.create(customer=card.customer, text="Sells honey at the farmers market")
    verdict = services.check(card, message)
    assert verdict.ok and "farmers" in verdict.reason


def test_the_guard_refuses_a_near_copy_in_the_same_batch(owner):
    first = birthday_card(owner, "Anna", "Smith", day=10)
    second = birthday_card(owner, "Ben", "Jones", day=11)
    for person in (first.customer, second.customer):
        Fact.objects.create(customer=person, text="Shops at the farmers market", category="hobby")
    line = "It was lovely to bump into you at the farmers market last Saturday morning."
    services.mark_written(first, f"Dear Anna,\n\n{line}", NOW)
    verdict = services.check(second, f"Dear Ben,\n\n{line}")
    assert not verdict.ok
    assert "near-copy" in verdict.reason and "Anna Smith" in verdict.reason
    # Made their own, it passes.
    Fact.objects.create(customer=second.customer, text="Got a new job at the hospital")
    own = "Dear Ben,\n\nCongratulations on the new job, I hear the hospital is lucky to have you."
    assert services.check(second, own).ok


def test_mark_written_is_refused_with_the_reason_unless_overridden(card):
    with pytest.raises(services.GuardRefused) as refused:
        services.mark_written(card, messages.draft(card), NOW)
    assert "nothing added" in refused.value.verdict.reason
    card.refresh_from_db()
    assert card.status == CardStatus.PLANNED
    services.mark_written(card, messages.draft(card), NOW, override="She asked for a plain card")
    card.refresh_from_db()
    assert card.status == CardStatus.WRITTEN
    assert card.override_reason == "She asked for a plain card"


def test_a_handwritten_card_needs_no_message(card):
    services.mark_handwritten(card, NOW)
    card.refresh_from_db()
    assert card.handwritten and card.status == CardStatus.WRITTEN


def test_skip_needs_a_reason_and_mailed_is_final(card, sailor):
    with pytest.raises(ValidationError, match="Say why"):
        services.skip(card, "  ", NOW)
    services.mark_handwritten(card, NOW)
    assert services.mark_mailed(Card.objects.filter(pk=card.pk), LATER) == 1
    assert services.mark_mailed(Card.objects.filter(pk=card.pk), LATER) == 0  # no double mailing
    card.refresh_from_db()
    assert card.status == CardStatus.MAILED and card.mailed_at == LATER
    with pytest.raises(ValidationError, match="mailed already"):
        services.mark_written(card, "Dear Annie, anything", LATER)


def test_mailing_the_batch_closes_its_item_on_today(owner):
    first = birthday_card(owner, "Anna", "Smith", day=1)
    second = birthday_card(owner, "Ben", "Jones", day=1)
    plan(dt.date(2026, 11, 23), NOW)
    batch = Action.objects.get(key=f"cards:{owner.pk}:{first.mail_by.isoformat()}")
    services.mark_handwritten(first, NOW)
    services.mark_mailed(Card.objects.filter(owner=owner), LATER)
    batch.refresh_from_db()
    assert batch.status == ActionStatus.OPEN  # Ben's card is not written yet
    services.skip(second, "Moved away, no new address", LATER)
    batch.refresh_from_db()
    assert batch.status == ActionStatus.DONE


def test_a_message_too_long_is_refused_without_saving(card):
    with pytest.raises(ValidationError, match="4000 characters"):
        services.save_draft(card, "x" * 4001, NOW)
    card.refresh_from_db()
    assert card.message == ""
