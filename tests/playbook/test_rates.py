"""Win rates with and without each move, on fixtures counted by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from extramile.playbook import rates
from extramile.playbook.models import Move, MoveUse, Opportunity, Stage
from tests.conftest import NOW
from tests.playbook.conftest import make_opportunity

YES, NO, NOT_YET = MoveUse.YES, MoveUse.NO, MoveUse.NOT_YET
TAKEAWAY, COMMIT = Move.TAKEAWAY, Move.COMMITMENT_FIRST


@pytest.fixture
def book(customer, colleague_customer, outsider_customer):
    """By hand, over the owner's closed deals (the takeaway):
    with it:    8 deals, 6 won             -> 75 % of 8
    without it: 12 deals (5 "no", 4 "not yet", 3 never answered), 3 won -> 25 % of 12
    Commitment first: used on 3 (2 won) -> not enough data; without: 17 (7 won) -> 41 %.
    Open deals with every move used, the colleague's 4 and the outsider's 6 are counted only
    where the viewer may see them."""
    for n in range(8):
        moves = {TAKEAWAY: YES}
        if n in (0, 1, 6):
            moves[COMMIT] = YES
        make_opportunity(customer, Stage.WON if n < 6 else Stage.LOST, moves=moves)
    for n in range(12):
        answer = NO if n < 5 else NOT_YET if n < 9 else None
        moves = {TAKEAWAY: answer} if answer else {}
        if n == 0:
            moves[COMMIT] = NO
        make_opportunity(customer, Stage.WON if n in (0, 5, 9) else Stage.LOST, moves=moves)
    for stage in (Stage.LEAD, Stage.NEGOTIATION):
        make_opportunity(customer, stage, moves=dict.fromkeys(Move.values, YES))
    for _ in range(4):
        make_opportunity(colleague_customer, Stage.WON, moves={TAKEAWAY: YES})
    for _ in range(6):
        make_opportunity(outsider_customer, Stage.LOST, moves={TAKEAWAY: YES})


def rate_of(found: list[rates.MoveRate], move: str) -> rates.MoveRate:
    return next(r for r in found if r.move == move)


def test_with_and_without_each_move_with_the_counts(book, owner):
    found = rates.win_rates(Opportunity.objects.visible_to(owner))
    assert [r.move for r in found] == Move.values
    takeaway = rate_of(found, TAKEAWAY)
    assert (takeaway.with_move.won, takeaway.with_move.total) == (6, 8)
    assert (takeaway.without_move.won, takeaway.without_move.total) == (3, 12)
    assert takeaway.text == "75 % of 8 with, 25 % of 12 without"
    assert takeaway.difference == pytest.approx(50)


def test_under_the_threshold_says_not_enough_data(book, owner):
    commit = rate_of(rates.win_rates(Opportunity.objects.visible_to(owner)), COMMIT)
    assert (commit.with_move.won, commit.with_move.total) == (2, 3)
    assert commit.with_move.rate is None and commit.difference is None
    assert commit.text == "not enough data (3 with), 41 % of 17 without"


def test_a_move_nobody_used(book, owner):
    over = rate_of(rates.win_rates(Opportunity.objects.visible_to(owner)), Move.OVER_THE_HEAD)
    assert over.text == "not enough data (0 with), 45 % of 20 without"


def test_rates_only_over_what_the_viewer_may_see(book, manager, outsider, admin_user):
    team = rate_of(rates.win_rates(Opportunity.objects.visible_to(manager)), TAKEAWAY)
    assert (team.with_move.won, team.with_move.total) == (10, 12)
    other = rate_of(rates.win_rates(Opportunity.objects.visible_to(outsider)), TAKEAWAY)
    assert (other.with_move.won, other.with_move.total) == (0, 6)
    assert other.without_move.total == 0
    everyone = rates.overall(Opportunity.objects.visible_to(admin_user))
    assert (everyone.won, everyone.total) == (13, 30)


def test_the_period_counts_the_close_date(owner, customer):
    day = NOW.date()
    make_opportunity(customer, Stage.WON, closed_on=day - dt.timedelta(days=400))
    make_opportunity(customer, Stage.LOST, closed_on=day - dt.timedelta(days=5))
    scope = Opportunity.objects.all()
    last_year = rates.closed(scope, since=day - dt.timedelta(days=365), until=day)
    assert (rates.overall(last_year).won, rates.overall(last_year).total) == (0, 1)
    assert rates.overall(rates.closed(scope)).total == 2


def test_nothing_closed_yet(db):
    found = rates.win_rates(Opportunity.objects.all())
    assert all(r.text == "not enough data (0 with), not enough data (0 without)" for r in found)


def test_the_threshold_is_inclusive():
    assert rates.Side(won=2, total=rates.MIN_SAMPLE).describe("with") == "40 % of 5 with"
    assert rates.Side(won=2, total=rates.MIN_SAMPLE - 1).rate is None
