"""The weekly intention: asked on the first working day (Tuesday after a Monday holiday), saved,
reviewed at the week's end, and re-planning changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from extramile.agenda import services as agenda
from extramile.agenda.models import Action, ActionStatus, Priority
from extramile.ideas import week
from extramile.ideas.models import WeeklyIntention
from tests.ideas.conftest import action, at, plan_week

MONDAY = dt.date(2026, 11, 23)  # Thanksgiving is Thursday 26th
FRIDAY = dt.date(2026, 11, 27)
NEXT_MONDAY = dt.date(2026, 11, 30)
LABOR_DAY = dt.date(2026, 9, 7)  # a Monday holiday in the US


def test_monday_asks_for_the_weeks_intention(owner):
    plan_week(MONDAY)
    ask = action(f"intention:{owner.pk}:2026-11-23")
    assert (ask.kind, ask.owner, ask.status) == ("intention", owner, ActionStatus.OPEN)
    assert (ask.due_on, ask.expires_on, ask.priority) == (
        MONDAY,
        dt.date(2026, 11, 29),
        Priority.NORMAL,
    )
    assert ask in agenda.today(owner, MONDAY)


def test_after_a_monday_holiday_tuesday_asks(owner):
    plan_week(LABOR_DAY)
    assert not Action.objects.filter(kind="intention").exists()
    plan_week(LABOR_DAY + dt.timedelta(days=1))
    ask = action(f"intention:{owner.pk}:2026-09-07")
    assert ask.due_on == dt.date(2026, 9, 8)


def test_nobody_is_asked_on_the_weekend_before(owner):
    plan_week(dt.date(2026, 11, 22))  # Sunday: last week is over
    assert not Action.objects.filter(kind="intention").exists()


def test_saving_the_intention_closes_the_question_and_replanning_keeps_it_closed(owner):
    plan_week(MONDAY)
    saved = week.save_intention(owner, "  Thank every customer   by name ", at(MONDAY))
    assert (saved.week_start, saved.text, saved.kept) == (
        MONDAY,
        "Thank every customer by name",
        None,
    )
    ask = action(f"intention:{owner.pk}:2026-11-23")
    assert (ask.status, ask.outcome) == (ActionStatus.DONE, "Thank every customer by name")
    assert plan_week(MONDAY) == 0
    assert plan_week(MONDAY + dt.timedelta(days=1)) == 0
    ask.refresh_from_db()
    assert ask.status == ActionStatus.DONE


def test_an_intention_set_before_the_plan_is_not_asked_for(owner):
    week.save_intention(owner, "Call three old customers", at(MONDAY))
    plan_week(MONDAY)
    assert not Action.objects.filter(key=f"intention:{owner.pk}:2026-11-23").exists()


def test_rewording_keeps_one_intention_a_week(owner):
    week.save_intention(owner, "First draft", at(MONDAY))
    week.save_intention(owner, "Second thoughts", at(MONDAY))
    assert list(WeeklyIntention.objects.values_list("text", flat=True)) == ["Second thoughts"]


@pytest.mark.parametrize(
    ("text", "message"), [(" ", "Write your intention"), ("x" * 501, "at most")]
)
def test_a_bad_intention_is_refused(owner, text, message):
    with pytest.raises(ValidationError, match=message):
        week.save_intention(owner, text, at(MONDAY))


def test_done_with_a_text_on_the_row_sets_the_intention(owner):
    plan_week(MONDAY)
    agenda.complete(action(f"intention:{owner.pk}:2026-11-23"), at(MONDAY), "Smile on every call")
    assert WeeklyIntention.objects.get(user=owner).text == "Smile on every call"


def test_the_weeks_end_asks_whether_it_was_kept(owner):
    plan_week(MONDAY)
    week.save_intention(owner, "Visit two tier A customers", at(MONDAY))
    plan_week(FRIDAY - dt.timedelta(days=1))  # Thanksgiving: not yet
    assert not Action.objects.filter(key__startswith="intention-review:").exists()
    plan_week(FRIDAY)
    review = action(f"intention-review:{owner.pk}:2026-11-23")
    assert (review.due_on, review.expires_on) == (FRIDAY, NEXT_MONDAY)
    assert "Visit two tier A customers" in review.detail
    kept = week.review_intention(owner, MONDAY, True, at(FRIDAY))
    assert kept.kept is True and kept.reviewed_at == at(FRIDAY)
    review.refresh_from_db()
    assert (review.status, review.outcome) == (ActionStatus.DONE, "Kept it")
    plan_week(NEXT_MONDAY)
    review.refresh_from_db()
    assert review.status == ActionStatus.DONE


def test_a_missed_friday_asks_on_the_next_weeks_first_day(owner):
    week.save_intention(owner, "Write five thank-you notes", at(MONDAY))
    plan_week(NEXT_MONDAY)
    review = action(f"intention-review:{owner.pk}:2026-11-23")
    assert review in agenda.today(owner, NEXT_MONDAY)
    assert action(f"intention:{owner.pk}:2026-11-30") in agenda.today(owner, NEXT_MONDAY)
    week.review_intention(owner, MONDAY, False, at(NEXT_MONDAY))
    assert WeeklyIntention.objects.get(week_start=MONDAY).kept is False


def test_no_review_without_an_intention_and_none_for_a_week_not_begun(owner):
    plan_week(FRIDAY)
    assert not Action.objects.filter(key__startswith="intention-review:").exists()
    with pytest.raises(ValidationError, match="no intention for the week"):
        week.review_intention(owner, MONDAY, True, at(FRIDAY))
    week.save_intention(owner, "Plan ahead", at(FRIDAY), NEXT_MONDAY)
    with pytest.raises(ValidationError, match="not started yet"):
        week.review_intention(owner, NEXT_MONDAY, True, at(FRIDAY))


def test_an_unanswered_question_is_missed_once_its_window_passes(owner):
    plan_week(MONDAY)
    plan_week(NEXT_MONDAY)
    assert action(f"intention:{owner.pk}:2026-11-23").status == ActionStatus.MISSED


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(dt.date(2025, 1, 6), dt.date(2030, 12, 30)).map(week.week_start),
    country=st.sampled_from(["US", "GB", "DE"]),
)
def test_every_day_of_a_week_agrees_on_the_first_working_day(start, country):
    """Whichever day of the week the plan runs, the question is due on the week's first working
    day (never a weekend or a public holiday), and no day before it or after the last one asks."""
    from extramile.accounts.models import Company

    hours = week.company_hours(Company(country=country, time_zone="Europe/Berlin"))
    week_days = [start + dt.timedelta(days=n) for n in range(7)]
    working = [day for day in week_days if hours.is_working_day(day)]
    dues = {day: week.intention_due(hours, day) for day in week_days}
    for day, due in dues.items():
        if working and working[0] <= day <= working[-1]:
            assert due == working[0] == hours.next_working_day(start)
            assert due.weekday() < 5
        else:
            assert due is None
