"""Planning cards: one per recipient, occasion and year; mailed in time; nobody dropped silently."""

from __future__ import annotations

import datetime as dt

import pytest

from extramile.accounts.models import User
from extramile.agenda.engine import plan
from extramile.agenda.models import Action
from extramile.book.models import Customer, Household, KeyDate, Sale
from extramile.cards.models import Card, CardStatus, Occasion, OccasionPreference
from extramile.cards.planning import mail_by, plan_cards
from tests.conftest import NOW, make_customer

WEEKDAYS = frozenset({0, 1, 2, 3, 4})
ADDRESS = {"street": "12 Elm Street", "city": "Springfield", "region": "IL", "postal_code": "62704"}


def only(occasion: str) -> object:
    return Occasion.objects.filter(code=occasion)


def cards_for(customer: Customer) -> list[Card]:
    return list(Card.objects.filter(customer=customer).select_related("occasion"))


def test_mail_by_is_the_lead_time_before_moved_back_to_a_working_day():
    assert mail_by(dt.date(2026, 12, 10), 7, WEEKDAYS) == dt.date(2026, 12, 3)  # Thursday
    # 5 December 2026 is a Saturday; a week before is Saturday 28 November → Friday 27th.
    assert mail_by(dt.date(2026, 12, 5), 7, WEEKDAYS) == dt.date(2026, 11, 27)
    assert mail_by(dt.date(2026, 12, 7), 0, WEEKDAYS) == dt.date(2026, 12, 7)


def test_a_birthday_card_is_planned_once_with_its_mail_by_date(owner):
    anna = make_customer(owner, "Anna", "Smith", birth_month=12, birth_day=10, **ADDRESS)
    first = plan_cards(dt.date(2026, 11, 23), dt.date(2026, 12, 7), NOW, occasions=only("birthday"))
    again = plan_cards(dt.date(2026, 11, 23), dt.date(2026, 12, 7), NOW, occasions=only("birthday"))
    [card] = cards_for(anna)
    assert (card.occasion.code, card.year, card.household) == ("birthday", 2026, None)
    assert (card.occasion_on, card.mail_by, card.status) == (
        dt.date(2026, 12, 10),
        dt.date(2026, 12, 3),
        CardStatus.PLANNED,
    )
    assert card.owner == owner and not card.needs_address
    assert (first.created, again.created) == (1, 0)


def test_a_card_outside_the_mail_by_window_is_not_planned(owner):
    make_customer(owner, "Anna", "Smith", birth_month=12, birth_day=20)
    plan_cards(dt.date(2026, 11, 23), dt.date(2026, 12, 7), NOW, occasions=only("birthday"))
    assert not Card.objects.exists()


def test_leap_day_birthday_gets_its_card_on_28_february_in_a_common_year(owner):
    leap = make_customer(owner, "Leo", "Leap", birth_month=2, birth_day=29, birth_year=1988)
    plan_cards(dt.date(2027, 2, 15), dt.date(2027, 2, 28), NOW, occasions=only("birthday"))
    [card] = cards_for(leap)
    assert card.occasion_on == dt.date(2027, 2, 28)
    assert card.mail_by == dt.date(2027, 2, 19)  # Friday


def test_christmas_is_one_card_per_household_and_one_per_single_customer(owner):
    home = Household.objects.create(name="The Smith Family", **ADDRESS)
    anna = make_customer(owner, "Anna", "Smith", household=home)
    make_customer(owner, "Ben", "Smith", household=home)
    make_customer(owner, "Cara", "Smith", household=home)
    solo = make_customer(owner, "Dev", "Patel")
    plan_cards(dt.date(2026, 12, 14), dt.date(2026, 12, 20), NOW, occasions=only("christmas"))
    cards = sorted(Card.objects.all(), key=lambda c: c.household_id or 0)
    assert [(c.customer, c.household, c.year) for c in cards] == [
        (solo, None, 2026),
        (anna, home, 2026),
    ]
    household_card = cards[1]
    assert household_card.customer == anna and household_card.recipient_name == "The Smith Family"
    assert household_card.mail_by == dt.date(2026, 12, 18)
    assert not household_card.needs_address
    assert cards[0].needs_address  # Dev has no address: flagged, not dropped


def test_new_year_cards_are_mailed_in_december_for_the_next_year(owner):
    anna = make_customer(owner, "Anna", "Smith")
    plan_cards(dt.date(2026, 12, 21), dt.date(2026, 12, 31), NOW, occasions=only("new_year"))
    [card] = cards_for(anna)
    assert (card.year, card.occasion_on, card.mail_by) == (
        2027,
        dt.date(2027, 1, 1),
        dt.date(2026, 12, 25),
    )


def test_do_not_mail_former_and_opted_out_customers_get_no_card(owner):
    make_customer(owner, "No", "Post", do_not_mail=True)
    make_customer(owner, "Gone", "Away", status="former")
    opted = make_customer(owner, "Opted", "Out")
    OccasionPreference.objects.create(
        customer=opted, occasion=Occasion.objects.get(code="christmas"), wants_card=False
    )
    keeps = make_customer(owner, "Keeps", "Cards")
    plan_cards(dt.date(2026, 12, 14), dt.date(2026, 12, 20), NOW, occasions=only("christmas"))
    assert [c.customer for c in Card.objects.all()] == [keeps]


def test_an_occasion_not_sent_by_default_goes_to_those_who_opt_in(owner):
    opted = make_customer(owner, "Eli", "Cohen")
    make_customer(owner, "Not", "Asked")
    hanukkah = Occasion.objects.get(code="hanukkah")
    assert not hanukkah.sends_by_default
    OccasionPreference.objects.create(customer=opted, occasion=hanukkah, wants_card=True)
    plan_cards(dt.date(2026, 11, 23), dt.date(2026, 11, 30), NOW, occasions=only("hanukkah"))
    [card] = Card.objects.all()
    assert card.customer == opted and card.occasion_on == dt.date(2026, 12, 5)


def test_anniversaries_come_from_key_dates_and_sales(owner):
    home = Household.objects.create(name="Anna and Ben Smith")
    anna = make_customer(
        owner, "Anna", "Smith", household=home, customer_since=dt.date(2019, 12, 9)
    )
    KeyDate.objects.create(customer=anna, kind="wedding", month=12, day=8, year=2001)
    Sale.objects.create(customer=anna, date=dt.date(2024, 12, 10), description="Honda Civic")
    Sale.objects.create(customer=anna, date=dt.date(2026, 12, 10), description="Not yet a year")
    KeyDate.objects.create(customer=anna, kind="custom", label="Adoption day", month=12, day=9)
    plan_cards(dt.date(2026, 11, 23), dt.date(2026, 12, 7), NOW)
    cards = Card.objects.values_list("occasion__code", "household_id", "occasion_on")
    assert sorted(cards) == [
        # Personal cards are Anna's even though she lives in a household.
        ("customer_since", None, dt.date(2026, 12, 9)),
        ("key_date", None, dt.date(2026, 12, 9)),
        ("purchase", None, dt.date(2026, 12, 10)),
        ("wedding", home.pk, dt.date(2026, 12, 8)),
    ]


def test_a_planned_card_is_withdrawn_with_a_reason_when_the_customer_asks_for_no_post(owner):
    anna = make_customer(owner, "Anna", "Smith", birth_month=12, birth_day=10)
    window = (dt.date(2026, 11, 23), dt.date(2026, 12, 7))
    plan_cards(*window, NOW, occasions=only("birthday"))
    Customer.objects.filter(pk=anna.pk).update(do_not_mail=True)
    summary = plan_cards(*window, NOW, occasions=only("birthday"))
    [card] = cards_for(anna)
    assert summary.withdrawn == 1
    assert card.status == CardStatus.SKIPPED and "no post" in card.skip_reason


def test_cards_are_planned_only_for_the_given_owners(owner, colleague):
    make_customer(owner, "Anna", "Smith")
    make_customer(colleague, "Carl", "Jones")
    plan_cards(
        dt.date(2026, 12, 14),
        dt.date(2026, 12, 20),
        NOW,
        owners=User.objects.filter(pk=owner.pk),
        occasions=only("christmas"),
    )
    assert [c.owner for c in Card.objects.all()] == [owner]


def test_the_nightly_plan_puts_one_batch_item_per_mail_by_date_on_today(owner):
    for first, bday in [("Anna", 28), ("Ben", 28), ("Cara", 29)]:
        make_customer(owner, first, "Smith", birth_month=11, birth_day=bday, **ADDRESS)
    summary = plan(dt.date(2026, 11, 23), NOW)
    assert summary.prepared["cards"] >= 3
    batches = Action.objects.filter(kind="cards").order_by("key")
    # 28 Nov (Sat) and 29 Nov (Sun) should have been mailed by Friday 20 Nov; planned late, they
    # are due today, in one batch, rather than scattered over days gone by.
    [batch] = batches
    assert batch.title == "Mail 3 cards by Mon 23 Nov: Birthday 3"
    assert batch.owner == owner


@pytest.mark.parametrize("lead", [0, 3, 14])
def test_the_company_lead_time_sets_the_mail_by_date(owner, company, lead):
    company.card_lead_days = lead
    company.save()
    anna = make_customer(owner, "Anna", "Smith", birth_month=12, birth_day=16)  # a Wednesday
    plan_cards(dt.date(2026, 11, 23), dt.date(2026, 12, 31), NOW, occasions=only("birthday"))
    [card] = cards_for(anna)
    assert card.mail_by == mail_by(dt.date(2026, 12, 16), lead, WEEKDAYS)


def test_a_birthday_card_is_for_the_person_and_goes_to_their_households_address(owner):
    home = Household.objects.create(name="The Smith Family", **ADDRESS)
    anna = make_customer(owner, "Anna", "Smith", household=home, birth_month=12, birth_day=10)
    plan_cards(dt.date(2026, 11, 23), dt.date(2026, 12, 7), NOW, occasions=only("birthday"))
    [card] = cards_for(anna)
    assert card.household is None and card.recipient_name == "Anna Smith"
    assert card.postal_source == home and not card.needs_address


def test_a_company_occasion_on_the_nth_weekday_and_a_fixed_date(owner):
    anna = make_customer(owner, "Anna", "Smith")
    Occasion.objects.create(
        code="open-house",
        name="Open house",
        source="nth_weekday",
        month=12,
        weekday=4,  # Friday
        nth=2,
        per_household=True,
        sends_by_default=True,
    )
    Occasion.objects.create(
        code="founding",
        name="Our founding day",
        source="fixed",
        month=12,
        day=15,
        sends_by_default=True,
    )
    plan_cards(
        dt.date(2026, 11, 23),
        dt.date(2026, 12, 31),
        NOW,
        occasions=Occasion.objects.filter(code__in=["open-house", "founding"]),
    )
    dates = dict(Card.objects.filter(customer=anna).values_list("occasion__code", "occasion_on"))
    assert dates == {"open-house": dt.date(2026, 12, 11), "founding": dt.date(2026, 12, 15)}


def test_an_occasion_with_an_unknown_holiday_or_template_field_is_refused(db):
    from django.core.exceptions import ValidationError

    bad = Occasion(code="x", name="X", source="holiday", holiday="holidays:US:Nope")
    with pytest.raises(ValidationError, match="not a holiday code"):
        bad.full_clean()
    wrong = Occasion(code="y", name="Y", source="fixed", month=2, day=30, template="Hi")
    with pytest.raises(ValidationError, match="February has no day 30"):
        wrong.full_clean()
    fields = Occasion(code="z", name="Z", source="birthday", template="Hi {secret}")
    with pytest.raises(ValidationError, match="Unknown field"):
        fields.full_clean()


def test_deleting_a_customer_deletes_their_cards(owner):
    anna = make_customer(owner, "Anna", "Smith", birth_month=12, birth_day=10)
    plan_cards(dt.date(2026, 11, 23), dt.date(2026, 12, 7), NOW, occasions=only("birthday"))
    assert Card.objects.filter(customer=anna).exists()
    anna.delete()
    assert not Card.objects.exists()


def test_a_big_plan_refreshes_the_cards_statistics_on_postgresql(owner, monkeypatch):
    """After a season's worth of new cards PostgreSQL must plan the withdrawal with statistics
    that know them (cards/planning.py: refresh_statistics); SQLite plans by its indexes."""
    from django.db import connection

    from extramile.cards import planning

    if connection.vendor != "postgresql":
        pytest.skip("table statistics are PostgreSQL's (run with EXTRAMILE_TEST_DATABASE_URL)")
    for n in range(3):
        make_customer(owner, f"Anna{n}", "Smith")
    monkeypatch.setattr(planning, "FRESH_STATISTICS_AFTER", 2)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'cards_card'")
        [(before,)] = cursor.fetchall()
        plan_cards(dt.date(2026, 12, 1), dt.date(2026, 12, 31), NOW, occasions=only("christmas"))
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'cards_card'")
        [(after,)] = cursor.fetchall()
    assert before <= 0 and after == 3
