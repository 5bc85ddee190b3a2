"""“Am I doing my best?”: once a day on Today (a second answer replaces the first), the user's own
trend as an SVG chart with the notes, and a manager who sees the team's daily average and count —
never anyone's notes or own score."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from extramile.culture import checkins
from extramile.culture.models import CheckIn
from tests.conftest import NOW, login, make_user


def test_today_asks_until_answered_then_shows_the_answer_in_place(client, owner):
    login(client, owner)
    assert "Am I doing my best?" in client.get(reverse("today")).content.decode()
    assert 'name="score" value="5"' in client.get(reverse("today")).content.decode()
    fragment = client.post(reverse("check-in"), {"score": "4"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert 'id="check-in"' in html and "4/5" in html
    # Answered: the form waits behind "Change", the chosen score marked, the note to edit.
    assert "Change the score or the note" in html
    assert 'value="4" class="score chosen" aria-pressed="true"' in html
    page = client.get(reverse("today")).content.decode()
    assert "Today: <strong>4/5</strong>" in page and "Change the score or the note" in page


def test_once_a_day_a_second_answer_replaces_the_first(owner):
    checkins.check_in(owner, NOW, 2, "Slow start")
    checkins.check_in(owner, NOW + dt.timedelta(hours=3), "4", "Better after lunch")
    row = CheckIn.objects.get()
    assert (row.score, row.note, row.day) == (4, "Better after lunch", dt.date(2026, 11, 23))
    checkins.check_in(owner, NOW + dt.timedelta(days=1), 3)
    assert CheckIn.objects.count() == 2


@pytest.mark.parametrize("score", ["0", "6", "", "five", None, "3.5"])
def test_a_score_outside_one_to_five_is_refused(client, owner, score):
    with pytest.raises(ValidationError, match="from 1 to 5"):
        checkins.check_in(owner, NOW, score)
    assert not CheckIn.objects.exists()


def test_a_bad_score_through_the_page_says_why(client, owner):
    response = login(client, owner).post(
        reverse("check-in"), {"score": "9"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422 and "from 1 to 5" in response.content.decode()


def test_the_day_is_the_users_own_local_day(company, team):
    early = make_user("kiri", team=team, time_zone="Pacific/Kiritimati")  # UTC+14: already Tuesday
    assert checkins.check_in(early, NOW, 5).day == dt.date(2026, 11, 24)


def test_the_trend_page_draws_the_last_ninety_days_with_the_notes(client, owner):
    for days_ago, score in ((0, 4), (1, 3), (2, 5), (120, 1)):
        checkins.check_in(owner, NOW - dt.timedelta(days=days_ago), score, f"note {days_ago}")
    page = login(client, owner).get(reverse("check-ins")).content.decode()
    assert "<svg" in page and "<polyline" in page
    assert page.count('<circle cx="') == 3  # 120 days ago is out of the window
    assert "note 0" in page and "note 2" in page and "note 120" not in page
    assert "average 4.0" in page
    assert "Your team" not in page  # a rep has no team view


def test_the_chart_scales_scores_into_the_box():
    end = dt.date(2026, 11, 23)
    chart = checkins.chart([(end - dt.timedelta(days=89), 1.0), (end, 5.0)], end)
    (x1, y1, _), (x2, y2, _) = chart.dots
    assert (x1, x2) == (24, chart.width - 24)
    assert (y1, y2) == (chart.height - 24, 24)
    assert chart.points == f"{x1},{y1} {x2},{y2}"


@pytest.fixture
def team_checked_in(owner, colleague, team):
    third = make_user("tara", team=team)
    for user, score in ((owner, 2), (colleague, 4), (third, 5)):
        checkins.check_in(user, NOW, score, f"SECRET-NOTE-{user.username}")
    checkins.check_in(owner, NOW - dt.timedelta(days=1), 1, "SECRET-NOTE-yesterday")
    return third


def test_the_manager_sees_the_teams_average_and_never_the_notes(client, manager, team_checked_in):
    checkins.check_in(manager, NOW, 3, "the manager's own note")
    page = login(client, manager).get(reverse("check-ins")).content.decode()
    assert "Your team, on average" in page
    # 2, 4 and 5: the manager's own 3 is not counted (they know it, and could subtract it)
    assert "<td>3</td><td>3.7</td>" in page.replace("\n", "")
    assert '<td>1</td><td><span class="muted">too few</span>' in page  # one check-in: no average
    assert "the manager&#x27;s own note" in page
    for other_page in ("check-ins", "today", "stories"):
        html = client.get(reverse(other_page)).content.decode()
        assert "SECRET-NOTE" not in html
    assert "SECRET-NOTE" not in client.get(reverse("customers")).content.decode()


def test_the_team_average_rule(owner, colleague, manager, team_checked_in, outsider):
    checkins.check_in(outsider, NOW, 1, "other team")
    days = checkins.team_average(manager, dt.date(2026, 11, 23))
    assert [(d.day, d.count, d.average) for d in days] == [
        (dt.date(2026, 11, 22), 1, None),
        (dt.date(2026, 11, 23), 3, pytest.approx(11 / 3, abs=0.01)),
    ]


def test_the_team_average_counts_reps_only_never_the_manager(client, owner, colleague, manager):
    """Two reps and the manager checked in: a manager who counted themselves would see an average
    of "three" and, knowing their own score, learn the sum of the two reps' scores."""
    checkins.check_in(owner, NOW, 1)
    checkins.check_in(colleague, NOW, 5)
    checkins.check_in(manager, NOW, 3)
    other_manager = make_user("mick", role="manager", team=manager.team)
    checkins.check_in(other_manager, NOW, 4)
    day = dt.date(2026, 11, 23)
    assert [(d.count, d.average) for d in checkins.team_average(manager, day)] == [(2, None)]
    assert set(checkins.team_members(manager)) == {owner, colleague}
    page = login(client, manager).get(reverse("check-ins")).content.decode()
    assert '<td>2</td><td><span class="muted">too few</span>' in page.replace("\n", "")
    checkins.check_in(make_user("tara", team=manager.team), NOW, 3)
    assert [(d.count, d.average) for d in checkins.team_average(manager, day)] == [(3, 3.0)]
