"""The team dashboard: figures per rep and for the team, checked against hand-counted fixtures;
who sees whom; the leaderboard switch; the CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from extramile.agenda import services
from extramile.agenda.actions import put_many
from extramile.agenda.models import Action, Priority
from extramile.agenda.registry import ActionSpec
from extramile.cards.models import Card, CardStatus, Occasion
from extramile.team import figures
from tests.conftest import NOW, login

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 23)  # Monday


def test_periods():
    assert figures.period_bounds("week", dt.date(2026, 11, 26)) == (
        dt.date(2026, 11, 23),
        dt.date(2026, 11, 29),
    )
    assert figures.period_bounds("month", dt.date(2026, 2, 14)) == (
        dt.date(2026, 2, 1),
        dt.date(2026, 2, 28),
    )
    assert figures.period_bounds("quarter", dt.date(2026, 11, 26)) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
    )
    with pytest.raises(ValueError, match="not a period"):
        figures.period_bounds("year", DAY)


def card(owner, customer, mailed_at, override="", code="birthday", mail_by=DAY, on=None):
    occasion = Occasion.objects.get(code=code)
    return Card.objects.create(
        occasion=occasion,
        year=2026,
        occasion_on=on or mail_by + dt.timedelta(days=7),
        mail_by=mail_by,
        owner=owner,
        customer=customer,
        status=CardStatus.MAILED,
        mailed_at=mailed_at,
        override_reason=override,
        created_at=NOW,
        updated_at=NOW,
    )


def test_figures_match_a_hand_counted_week(owner, colleague, customer, colleague_customer):
    # Olivia: 3 cards mailed this week, one with a guard override; one thank-you on time, one late.
    card(owner, customer, NOW)
    card(owner, customer, NOW, override="Her husband asked for exactly this", on=DAY)
    card(owner, customer, NOW - dt.timedelta(days=10), on=DAY - dt.timedelta(days=3))  # last week
    card(owner, customer, NOW, code="thank_you", mail_by=DAY, on=DAY - dt.timedelta(days=2))
    card(
        owner,
        customer,
        NOW,
        code="thank_you",
        mail_by=DAY - dt.timedelta(days=1),
        on=DAY - dt.timedelta(days=5),
    )
    # Colin: two actions done this week, Olivia one.
    put_many(
        [
            ActionSpec(
                key=f"a{n}",
                kind="promise",
                owner_id=who.pk,
                title="x",
                due_on=DAY,
                priority=Priority.PROMISE,
            )
            for n, who in enumerate([colleague, colleague, owner])
        ],
        NOW,
    )
    for action in Action.objects.all():
        services.complete(action, NOW)
    board = figures.build([owner, colleague], "week", DAY, NOW)
    mine, theirs = board.cells[owner.pk], board.cells[colleague.pk]
    assert (mine["cards"].number, theirs["cards"].number) == (4, 0)
    assert mine["cards_personal"].detail == "3 of 4"
    assert theirs["cards_personal"].number is None  # nothing mailed: no share, not 0 %
    assert mine["thanks_on_time"].detail == "1 of 2"
    assert (mine["done"].number, theirs["done"].number) == (1, 2)
    assert board.team["done"].number == 3
    assert board.team["cards_personal"].detail == "3 of 4"
    assert [rep for rep, _ in board.leaderboard()] == [colleague, owner]


def test_the_page_covers_the_team_and_the_leaderboard_can_be_switched_off(
    client, owner, colleague, outsider, manager, company
):
    page = login(client, manager).get(reverse("team")).content.decode()
    assert "Olivia" in page and "Colin" in page and "Oscar" not in page
    assert "Leaderboard" in page
    company.leaderboard = False
    company.save()
    page = login(client, owner).get(reverse("team") + "?period=month").content.decode()
    assert "Leaderboard" not in page and "Colin" in page and "Oscar" not in page


def test_the_csv_export_neutralises_formulas(client, owner, company):
    owner.first_name = "=HYPERLINK(1)"
    owner.save()
    response = login(client, owner).get(reverse("team-export") + "?period=quarter")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "rep" and "Cards mailed" in rows[0]
    assert rows[1][0].startswith("'=")


def test_stories_and_kudos_count_and_private_stories_do_not(owner, colleague):
    from extramile.culture.services import give_kudos, save_story

    shared = save_story(owner, NOW, what_done="Fixed the trailer hitch on a Sunday")
    save_story(owner, NOW, what_done="Kept to myself", visibility="private")
    give_kudos(shared, colleague, NOW, "Great save")
    board = figures.build([owner, colleague], "week", DAY, NOW)
    assert board.cells[owner.pk]["stories"].number == 1
    assert board.cells[owner.pk]["kudos_received"].number == 1
    assert board.cells[colleague.pk]["kudos_given"].number == 1


def test_a_note_mailed_late_in_the_evening_of_its_mail_by_day_is_on_time(
    owner, colleague, customer
):
    # New York: 23:30 on the mail-by day is already the next day in UTC; 00:30 after it is late.
    monday_evening = dt.datetime(2026, 11, 24, 4, 30, tzinfo=dt.UTC)  # Mon 23 Nov 23:30 local
    card(owner, customer, monday_evening, code="thank_you", mail_by=DAY, on=DAY)
    card(owner, customer, monday_evening + dt.timedelta(hours=1), code="thank_you", mail_by=DAY)
    # due months ago: late; due after the week: on time
    old = DAY - dt.timedelta(days=200)
    card(owner, customer, NOW, code="thank_you", mail_by=old, on=old)
    card(owner, customer, NOW, code="thank_you", mail_by=DAY + dt.timedelta(days=9))
    board = figures.build([owner, colleague], "week", DAY, NOW)
    assert board.cells[owner.pk]["thanks_on_time"].detail == "2 of 4"
