"""The weekly trend on Team and Calls: hand-counted weeks, finished weeks kept and this week live,
a week the kept figures do not hold yet counted on the view, who sees whom, and the charts drawn."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from extramile.agenda.models import Action, Priority
from extramile.outreach.models import Call, CallOutcome
from extramile.rollups.models import OwnerRollup
from extramile.rollups.store import read
from extramile.team import trend
from tests.conftest import NOW, login, make_customer

pytestmark = pytest.mark.django_db

# NOW is Monday 23 Nov 2026 14:30 UTC, 09:30 in New York (the company's zone).
THIS_MONDAY = dt.date(2026, 11, 23)


def call(user, customer, at: dt.datetime) -> Call:
    """A call logged at ``at`` (from its call action, as every call is)."""
    action = Action.objects.create(
        key=f"call:{customer.pk}:{at.isoformat()}",
        kind="call",
        owner=user,
        customer=customer,
        title=f"Call {customer.full_name}",
        due_on=at.date(),
        priority=Priority.CALL,
        created_at=at,
        updated_at=at,
    )
    return Call.objects.create(
        action=action, customer=customer, user=user, at=at, outcome=CallOutcome.ALL_FINE
    )


def ny(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    import zoneinfo

    return dt.datetime.combine(
        day, dt.time(hour, minute), tzinfo=zoneinfo.ZoneInfo("America/New_York")
    )


def test_weeks_run_monday_to_sunday_in_the_companys_zone(company):
    weeks = trend.weeks_to(dt.date(2026, 11, 26), company)
    assert len(weeks) == trend.WEEKS
    assert weeks[-1].first == THIS_MONDAY and weeks[-1].last == dt.date(2026, 11, 29)
    assert weeks[0].first == THIS_MONDAY - dt.timedelta(weeks=11)
    assert weeks[-1].starts == ny(THIS_MONDAY, 0)


@pytest.mark.time_machine(NOW)
def test_calls_are_counted_in_the_week_of_their_local_day(owner, colleague, customer):
    last_sunday = THIS_MONDAY - dt.timedelta(days=1)
    call(owner, customer, ny(last_sunday, 23, 30))  # 04:30 UTC Monday, but Sunday in New York
    call(owner, customer, ny(THIS_MONDAY, 0, 5))
    call(colleague, customer, ny(THIS_MONDAY, 9))
    call(owner, customer, ny(THIS_MONDAY - dt.timedelta(weeks=3), 12))
    call(owner, customer, ny(THIS_MONDAY - dt.timedelta(weeks=12), 12))  # before the 12 weeks
    found = trend.weekly([owner.pk, colleague.pk], THIS_MONDAY, NOW, keys=["calls"])
    assert found.counts["calls"][-1] == 2  # this week: Olivia's and Colin's
    assert found.counts["calls"][-2] == 1  # last week: the Sunday-evening call
    assert found.counts["calls"][-4] == 1
    assert sum(found.counts["calls"]) == 4
    only_olivia = trend.weekly([owner.pk], THIS_MONDAY, NOW, keys=["calls"])
    assert sum(only_olivia.counts["calls"]) == 3


@pytest.mark.time_machine(NOW)
def test_finished_weeks_are_kept_and_this_week_is_live(owner, customer):
    call(owner, customer, ny(THIS_MONDAY - dt.timedelta(days=3), 10))
    trend.weekly([owner.pk], THIS_MONDAY, NOW)
    kept = OwnerRollup.objects.get(owner=owner, name="team.weekly")
    last_week = (THIS_MONDAY - dt.timedelta(weeks=1)).isoformat()
    assert kept.data["calls"][last_week] == 1
    assert len(kept.data["calls"]) == trend.WEEKS - 1  # finished weeks only
    # A call backdated into last week after the count: the kept figure stands (counted daily);
    # a call this week shows at once.
    call(owner, customer, ny(THIS_MONDAY - dt.timedelta(days=2), 10))
    call(owner, customer, ny(THIS_MONDAY, 8))
    found = trend.weekly([owner.pk], THIS_MONDAY, NOW, keys=["calls"])
    assert found.counts["calls"][-2:] == [1, 1]
    assert found.counted_at == NOW


@pytest.mark.time_machine(NOW)
def test_a_week_the_kept_figures_do_not_hold_yet_is_counted_now(owner, customer):
    """Counted on Sunday noon, the rollup's last finished week is the week before last; on Monday
    morning the week that ended last night is counted on the view."""
    sunday_noon = ny(THIS_MONDAY - dt.timedelta(days=1), 12)
    read("team.weekly", [owner.pk], sunday_noon)
    call(owner, customer, ny(THIS_MONDAY - dt.timedelta(days=1), 18))  # after the count
    found = trend.weekly([owner.pk], THIS_MONDAY, NOW, keys=["calls"])
    assert found.counts["calls"][-2] == 1
    assert found.counted_at == sunday_noon


@pytest.mark.time_machine(NOW)
def test_the_trend_costs_the_same_queries_for_one_rep_or_many(owner, colleague, customer):
    from tests.conftest import make_user

    many = [owner, colleague] + [make_user(f"rep{n}", team=owner.team) for n in range(10)]
    trend.weekly([owner.pk], THIS_MONDAY, NOW)
    trend.weekly([rep.pk for rep in many], THIS_MONDAY, NOW)  # keeps everyone's finished weeks
    with CaptureQueriesContext(connection) as one:
        trend.weekly([owner.pk], THIS_MONDAY, NOW)
    with CaptureQueriesContext(connection) as all_of_them:
        trend.weekly([rep.pk for rep in many], THIS_MONDAY, NOW)
    assert len(all_of_them) == len(one)


@pytest.mark.time_machine(NOW)
def test_the_team_page_draws_a_chart_per_series_with_the_numbers(
    client, manager, owner, outsider, customer
):
    call(owner, customer, ny(THIS_MONDAY, 8))
    theirs = make_customer(outsider, "Otto", "Other")
    call(outsider, theirs, ny(THIS_MONDAY, 8))
    page = login(client, manager).get(reverse("team")).content.decode()
    assert "Calls made per week, the 12 weeks to 29 November 2026" in page
    # A series with nothing in the twelve weeks says so instead of drawing an empty chart.
    assert "<strong>Cards mailed</strong>" in page and "None in these weeks." in page
    assert "Cards mailed per week" not in page
    assert "Week of 23 November 2026 (so far): 1 call" in page  # Olivia's, not Oscar's
    assert "The numbers, week by week" in page


@pytest.mark.time_machine(NOW)
def test_the_calls_page_shows_the_weekly_calls_and_coverage_by_tier(client, owner, customer):
    call(owner, customer, ny(THIS_MONDAY, 8))
    page = login(client, owner).get(reverse("calls")).content.decode()
    assert "Calls week by week" in page
    assert "Calls made per week" in page and "Cards mailed per week" not in page
    assert 'aria-label="Your book within cadence, by tier"' in page
    assert "A · 30 days" in page


@pytest.mark.time_machine(NOW)
def test_a_manager_sees_the_teams_coverage_pooled_by_tier(client, manager, owner, colleague):
    from extramile.book.models import Tier

    for n, tier in enumerate([Tier.A, Tier.A, Tier.B]):
        make_customer(
            owner, f"Ann{n}", "Able", tier=tier, last_contact_at=NOW - dt.timedelta(days=5)
        )
    make_customer(
        colleague, "Cy", "Cold", tier=Tier.A, last_contact_at=NOW - dt.timedelta(days=400)
    )
    page = login(client, manager).get(reverse("calls")).content.decode()
    assert 'aria-label="The team&#x27;s books within cadence, by tier"' in page
    assert "A · 30 days: 2 of 3" in page  # Olivia's two of her two, Colin's none of one
    assert "B · 90 days: 1 of 1" in page
