"""The weekly surprise: each reason in turn, expectations first, the co-worker fallback, stable
across re-plans, never the same person two weeks running, the idea, and Done with the value answer."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from extramile.agenda import services as agenda
from extramile.agenda.models import Action, ActionStatus, Priority
from extramile.book.models import Fact, FactCategory, KeyDate, KeyDateKind, Promise
from extramile.ideas import services, week
from extramile.ideas.models import IdeaUse, Surprise, SurpriseReason
from tests.conftest import NOW, PASSWORD, make_customer
from tests.ideas.conftest import action, at, idea, plan_week

MONDAY = dt.date(2026, 11, 23)
NEXT_MONDAY = dt.date(2026, 11, 30)


def surprise(user, start=MONDAY) -> Surprise:
    return Surprise.objects.select_related("customer", "coworker", "idea").get(
        user=user, week_start=start
    )


def life_event(customer, text="Became a grandmother", days_ago=8):
    return Fact.objects.create(
        customer=customer,
        text=text,
        category=FactCategory.LIFE_EVENT,
        learned_on=MONDAY - dt.timedelta(days=days_ago),
    )


def quiet(owner, first, days, **extra):
    """A customer last heard from ``days`` ago (None: never)."""
    last = NOW - dt.timedelta(days=days) if days is not None else None
    return make_customer(owner, first, "Quiet", last_contact_at=last, **extra)


def overdue_promise(customer):
    return Promise.objects.create(
        customer=customer, description="Send the warranty papers", due_on=MONDAY - dt.timedelta(3)
    )


def test_a_recent_life_event_comes_first(owner):
    anna = make_customer(owner, "Anna", "Smith")
    life_event(anna)
    life_event(make_customer(owner, "Old", "News"), "Moved house", days_ago=40)
    make_customer(owner, "Ben", "Birthday", birth_month=11, birth_day=26)
    quiet(owner, "Carl", 60, tier="A")
    plan_week(MONDAY)
    chosen = surprise(owner)
    assert (chosen.customer, chosen.reason) == (anna, SurpriseReason.LIFE_EVENT)
    assert "“Became a grandmother” (learned Sun 15 Nov)" in chosen.reason_text


def test_then_the_soonest_coming_anniversary(owner):
    make_customer(owner, "Ben", "Birthday", birth_month=11, birth_day=28)
    dora = make_customer(owner, "Dora", "Wed")
    KeyDate.objects.create(customer=dora, kind=KeyDateKind.WEDDING, month=11, day=25, year=1990)
    make_customer(owner, "Far", "Away", birth_month=12, birth_day=20)  # beyond 14 days
    quiet(owner, "Carl", 60, tier="A")
    plan_week(MONDAY)
    chosen = surprise(owner)
    assert (chosen.customer, chosen.reason) == (dora, SurpriseReason.ANNIVERSARY)
    assert chosen.reason_text == "Their wedding anniversary: on Wed 25 Nov."


def test_a_customer_since_anniversary_counts_its_years(owner):
    eve = make_customer(owner, "Eve", "Early", customer_since=dt.date(2016, 11, 24))
    make_customer(owner, "New", "Comer", customer_since=dt.date(2026, 11, 24))  # not a year yet
    plan_week(MONDAY)
    chosen = surprise(owner)
    assert chosen.customer == eve
    assert chosen.reason_text == "10 years a customer: on Tue 24 Nov."


def test_a_birthday_today_says_so(owner, customer):
    plan_week(MONDAY)
    assert surprise(owner).reason_text == "Their birthday: today."


def test_then_a_loyal_customer_not_heard_from_lately(owner):
    quiet(owner, "Recent", 10, tier="A")  # within the 30-day cadence
    quiet(owner, "Young", None, tier="C", customer_since=dt.date(2024, 1, 1))  # not loyal
    carl = quiet(owner, "Carl", 60, tier="A")
    plan_week(MONDAY)
    chosen = surprise(owner)
    assert (chosen.customer, chosen.reason) == (carl, SurpriseReason.LOYAL)
    assert chosen.reason_text == (
        "A loyal customer (tier A) not heard from lately: last contact 24 Sep 2026."
    )


def test_the_longest_unheard_loyal_customer_wins(owner):
    quiet(owner, "Carl", 60, tier="A")
    old = quiet(owner, "Olga", 200, tier="C", customer_since=dt.date(2015, 3, 1))
    plan_week(MONDAY)
    assert surprise(owner).customer == old
    assert "a customer since 2015" in surprise(owner).reason_text


def test_a_customer_with_an_overdue_promise_is_never_proposed(owner):
    anna = make_customer(owner, "Anna", "Smith")
    life_event(anna)
    overdue_promise(anna)
    ben = make_customer(owner, "Ben", "Birthday", birth_month=11, birth_day=26)
    plan_week(MONDAY)
    assert surprise(owner).customer == ben


def test_a_promise_gone_overdue_after_the_proposal_is_explained_on_today(owner):
    anna = make_customer(owner, "Anna", "Smith")
    life_event(anna)
    plan_week(MONDAY)
    overdue_promise(anna)
    plan_week(MONDAY + dt.timedelta(days=1))
    row = action(f"surprise:{owner.pk}:2026-11-23")
    assert row.detail.startswith("Held back: the promise “Send the warranty papers”")


def test_a_co_worker_when_no_customer_qualifies(owner, colleague, outsider):
    make_customer(owner, "Happy", "Recent", tier="A", last_contact_at=NOW)
    plan_week(MONDAY)
    chosen = surprise(owner)
    assert (chosen.customer, chosen.coworker, chosen.reason) == (
        None,
        colleague,
        SurpriseReason.COWORKER,
    )
    assert surprise(colleague).coworker == owner
    assert not Surprise.objects.filter(user=outsider).exists()  # alone in their team


def test_a_co_worker_surprise_is_done_without_the_customer_value_question(client, owner, colleague):
    make_customer(owner, "Happy", "Recent", tier="A", last_contact_at=NOW)
    plan_week(MONDAY)
    row = action(surprise(owner).action_key)
    assert row.customer_id is None
    assert client.login(username=owner.username, password=PASSWORD)
    with time_machine.travel(at(MONDAY), tick=False):
        page = client.get(reverse("today")).content.decode()
    assert f'action="/ideas/surprise/{row.pk}/done/"' in page
    assert "more value for this customer" not in page
    done = week.finish_surprise(row, owner, at(MONDAY), "Brought Colin a coffee", "")
    assert (done.status, done.value_answer) == (ActionStatus.DONE, "")


def test_nobody_to_surprise_means_no_proposal(outsider):
    plan_week(MONDAY)
    assert not Surprise.objects.filter(user=outsider).exists()
    assert not Action.objects.filter(kind="surprise").exists()


def test_only_the_reps_own_book_is_used(owner, colleague, manager, colleague_customer):
    life_event(colleague_customer)
    plan_week(MONDAY)
    assert surprise(owner).customer is None
    assert surprise(manager).customer is None  # a manager sees the team's book, but owns none
    assert surprise(colleague).customer == colleague_customer


def test_the_proposal_is_stable_across_re_plans(owner):
    anna = make_customer(owner, "Anna", "Smith")
    life_event(anna, days_ago=20)
    plan_week(MONDAY)
    ben = make_customer(owner, "Ben", "Baby")
    life_event(ben, "A baby girl", days_ago=0)
    assert plan_week(MONDAY, at(MONDAY) + dt.timedelta(hours=2)) == 0
    plan_week(MONDAY + dt.timedelta(days=2))
    assert surprise(owner).customer == anna
    assert Surprise.objects.count() == 1
    assert Action.objects.filter(kind="surprise").count() == 1


def test_never_the_same_person_two_weeks_running(owner, colleague, manager):
    carl = quiet(owner, "Carl", 60, tier="A")
    plan_week(MONDAY)
    assert surprise(owner).customer == carl
    assert surprise(colleague).coworker in {owner, manager}
    first_coworker = surprise(colleague).coworker
    plan_week(NEXT_MONDAY, at(NEXT_MONDAY))
    assert surprise(owner, NEXT_MONDAY).customer != carl
    assert surprise(owner, NEXT_MONDAY).coworker in {colleague, manager}
    assert surprise(colleague, NEXT_MONDAY).coworker not in {first_coworker, None}


def test_after_a_monday_holiday_the_surprise_comes_on_tuesday(owner):
    labor_day = dt.date(2026, 9, 7)
    quiet(owner, "Carl", None, tier="A")
    plan_week(labor_day)
    assert not Surprise.objects.exists()
    plan_week(labor_day + dt.timedelta(days=1))
    chosen = surprise(owner, labor_day)
    assert chosen.proposed_on == dt.date(2026, 9, 8)
    assert action(chosen.action_key).due_on == dt.date(2026, 9, 8)


def test_the_row_on_today_has_the_name_reason_and_an_idea_for_the_reason(owner, colleague):
    anna = make_customer(owner, "Anna", "Smith")
    life_event(anna)
    popular = idea(colleague, "Bring doughnuts to the team", "team")
    services.toggle_vote(popular, owner, NOW)
    fitting = idea(colleague, "A card for the new grandchild", "life event, family")
    plan_week(MONDAY)
    assert surprise(owner).idea == fitting
    row = action(f"surprise:{owner.pk}:2026-11-23")
    assert (row.kind, row.customer, row.priority, row.status) == (
        "surprise",
        anna,
        Priority.NORMAL,
        ActionStatus.OPEN,
    )
    assert row.title == "This week's surprise: Anna Smith"
    assert (row.due_on, row.expires_on) == (MONDAY, dt.date(2026, 11, 29))
    assert "Became a grandmother" in row.detail
    assert row.detail.endswith("Idea: A card for the new grandchild")
    assert row in agenda.today(owner, MONDAY)


def test_any_good_idea_when_none_is_tagged_for_the_reason(owner):
    quiet(owner, "Carl", 60, tier="A")
    only = idea(owner, "Lend them your parking spot", "parking")
    plan_week(MONDAY)
    assert surprise(owner).idea == only


def test_done_needs_the_value_answer_and_records_what_was_done(owner, colleague):
    anna = make_customer(owner, "Anna", "Smith")
    life_event(anna)
    suggested = idea(colleague, "A card for the new grandchild", "life event")
    plan_week(MONDAY)
    row = action(f"surprise:{owner.pk}:2026-11-23")
    with pytest.raises(ValidationError, match="more value for this customer"):
        agenda.complete(row, at(MONDAY), "Sent a card")
    with pytest.raises(ValidationError, match="Say what you did"):
        week.finish_surprise(row, owner, at(MONDAY), " ", "She feels remembered")
    with pytest.raises(ValidationError, match="more value"):
        week.finish_surprise(row, owner, at(MONDAY), "Sent a card", "", used_idea=True)
    assert not IdeaUse.objects.exists()
    done = week.finish_surprise(
        row, owner, at(MONDAY), "Sent a card for baby Lea", "She feels remembered", used_idea=True
    )
    assert (done.status, done.outcome, done.value_answer) == (
        ActionStatus.DONE,
        "Sent a card for baby Lea",
        "She feels remembered",
    )
    record = surprise(owner)
    assert (record.what_was_done, record.done_at) == ("Sent a card for baby Lea", at(MONDAY))
    use = IdeaUse.objects.get()
    assert (use.idea, use.user, use.customer) == (suggested, owner, anna)


def test_done_without_using_the_idea_counts_no_use(owner, colleague):
    quiet(owner, "Carl", 60, tier="A")
    idea(colleague, "Lend them your parking spot")
    plan_week(MONDAY)
    row = action(f"surprise:{owner.pk}:2026-11-23")
    week.finish_surprise(row, owner, at(MONDAY), "Called to say thanks", "Feels valued")
    assert not IdeaUse.objects.exists()
    assert surprise(owner).done_at == at(MONDAY)


def test_start_dates_read_through_the_index_include_29_february_in_a_common_year():
    """A customer since 29 February 2016 celebrates on 28 February 2027; a start less than a year
    before the planned day does not count yet."""
    from extramile.book import dates

    day = dt.date(2027, 2, 22)
    starts = week._since_dates(dates.month_days_on(dt.date(2027, 2, 28)), 2015, day)
    assert dt.date(2016, 2, 29) in starts
    assert dt.date(2016, 2, 28) in starts
    assert dt.date(2026, 2, 28) not in starts  # less than a year before the 22nd
    assert dt.date(2025, 2, 28) in starts
    assert all(start.month == 2 and start.day in (28, 29) for start in starts)


def test_the_ideas_chosen_at_once_are_the_ones_suggested_one_user_at_a_time(owner, colleague):
    """``ideas_for`` (two grouped queries for every user) agrees with ``idea_for`` (ranked queries
    per user) on votes, one's own uses, tags per reason and the ties."""
    doughnuts = idea(colleague, "Bring doughnuts to the team", "team")
    card = idea(colleague, "A card for the new grandchild", "life event, family")
    parking = idea(owner, "Lend them your parking spot", "parking")
    idea(owner, "A thank-you call on the anniversary", "anniversary, thank you")
    services.toggle_vote(doughnuts, owner, NOW)
    services.toggle_vote(parking, colleague, NOW)
    services.record_use(card, owner, NOW, note="Sent one")
    services.record_use(doughnuts, colleague, NOW, note="Brought them")
    for reason in SurpriseReason.values:
        wanted = {owner.pk: reason, colleague.pk: reason}
        chosen = week.ideas_for(wanted, NOW)
        for user in (owner, colleague):
            expected = week.idea_for(user, NOW, reason)
            assert chosen[user.pk] == (expected.pk if expected else None), (user, reason)
