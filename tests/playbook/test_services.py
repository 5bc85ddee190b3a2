"""Saving opportunities and competitor notes, closing and reopening, the checklist, scoping."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from extramile.playbook import services
from extramile.playbook.models import Competitor, Move, MoveCheck, MoveUse, Opportunity, Stage
from tests.conftest import NOW
from tests.playbook.conftest import make_opportunity

TODAY = dt.date(2026, 11, 23)  # NOW in New York


def form(**extra):
    return {"title": "Family SUV", "stage": "qualified", "value": "32,500", **extra}


def test_a_new_opportunity_belongs_to_the_customers_owner(manager, customer, owner):
    made = services.save_opportunity(manager, form(), NOW, customer=customer)
    assert (made.owner, made.stage, made.value) == (owner, Stage.QUALIFIED, Decimal("32500.00"))
    assert made.closed_on is None and made.created_at == NOW


def test_every_problem_is_reported_at_once(owner, customer):
    with pytest.raises(ValidationError) as caught:
        services.save_opportunity(
            owner,
            {"title": " ", "stage": "won", "value": "-5", "expected_close": "next week"},
            NOW,
            customer=customer,
        )
    errors = caught.value.message_dict
    assert errors["title"] == ["Give the opportunity a title, such as “Family SUV for the Smiths”."]
    assert errors["stage"] == ["Use “Won” or “Lost” on the opportunity's page to close it."]
    assert errors["value"] == ["The value cannot be negative."]
    assert errors["expected_close"] == [
        "The expected close “next week” is not a date: use YYYY-MM-DD."
    ]
    assert not Opportunity.objects.exists()


@pytest.mark.parametrize(
    "value, message",
    [("abc", "“abc” is not an amount"), ("NaN", "is not an amount"), ("1e12", "too large")],
)
def test_bad_values(owner, customer, value, message):
    with pytest.raises(ValidationError, match=message):
        services.save_opportunity(owner, form(value=value), NOW, customer=customer)


def test_only_a_visible_customer_and_a_visible_owner(owner, outsider_customer, customer, outsider):
    with pytest.raises(ValidationError, match="Pick one of your customers"):
        services.save_opportunity(owner, form(), NOW, customer=outsider_customer)
    with pytest.raises(ValidationError) as caught:
        services.save_opportunity(owner, form(owner=str(outsider.pk)), NOW, customer=customer)
    assert caught.value.message_dict["owner"] == ["Pick an owner from your team."]


def test_a_manager_may_hand_it_to_a_team_member(manager, customer, colleague):
    made = services.save_opportunity(manager, form(owner=str(colleague.pk)), NOW, customer=customer)
    assert made.owner == colleague


def test_a_closed_opportunity_keeps_its_stage_until_reopened(owner, customer):
    won = make_opportunity(customer, Stage.WON)
    with pytest.raises(ValidationError, match="reopen it"):
        services.save_opportunity(owner, form(stage="proposal"), NOW, won)
    saved = services.save_opportunity(owner, form(stage="won", title="Renamed"), NOW, won)
    assert (saved.stage, saved.title) == (Stage.WON, "Renamed")


def test_close_and_reopen(owner, customer):
    deal = make_opportunity(customer, Stage.NEGOTIATION)
    services.close(deal, Stage.WON, owner, NOW)
    assert (deal.stage, deal.closed_on) == (Stage.WON, TODAY)
    with pytest.raises(ValidationError, match="closed already"):
        services.close(deal, Stage.LOST, owner, NOW)
    services.reopen(deal, NOW, Stage.PROPOSAL)
    assert (deal.stage, deal.closed_on) == (Stage.PROPOSAL, None)
    with pytest.raises(ValidationError, match="open already"):
        services.reopen(deal, NOW)
    services.close(deal, Stage.LOST, owner, NOW, TODAY - dt.timedelta(days=3))
    assert deal.closed_on == TODAY - dt.timedelta(days=3)


def test_no_closing_in_the_future_or_as_anything_else(owner, customer):
    deal = make_opportunity(customer)
    with pytest.raises(ValidationError, match="cannot be in the future"):
        services.close(deal, Stage.WON, owner, NOW, TODAY + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="won or lost"):
        services.close(deal, Stage.PROPOSAL, owner, NOW)
    with pytest.raises(ValidationError, match="open stage"):
        services.reopen(make_opportunity(customer, Stage.LOST), NOW, Stage.WON)
    deal.refresh_from_db()
    assert deal.stage == Stage.LEAD


def test_the_checklist(owner, customer):
    deal = make_opportunity(customer)
    assert [(m, c.used) for m, _l, c in services.checklist(deal)] == [
        (m, MoveUse.NOT_YET) for m in Move.values
    ]
    services.set_move(deal, Move.TAKEAWAY, MoveUse.YES, owner, NOW, "They asked to see it again")
    services.set_move(deal, Move.TAKEAWAY, MoveUse.NO, owner, NOW)
    check = MoveCheck.objects.get()
    assert (check.used, check.note) == (MoveUse.NO, "They asked to see it again")
    with pytest.raises(ValidationError, match="not one of the playbook's moves"):
        services.set_move(deal, "bribe", MoveUse.YES, owner, NOW)
    with pytest.raises(ValidationError, match="yes, no or not yet"):
        services.set_move(deal, Move.TAKEAWAY, "maybe", owner, NOW)


def test_who_sees_which_opportunity(
    owner, colleague, manager, outsider, admin_user, customer, colleague_customer, outsider_customer
):
    mine = make_opportunity(customer)
    theirs = make_opportunity(colleague_customer)
    far = make_opportunity(outsider_customer)
    assert set(Opportunity.objects.visible_to(owner)) == {mine}
    assert set(Opportunity.objects.visible_to(manager)) == {mine, theirs}
    assert set(Opportunity.objects.visible_to(outsider)) == {far}
    assert set(Opportunity.objects.visible_to(admin_user)) == {mine, theirs, far}


def test_competitor_notes_and_who_may_change_them(owner, colleague, manager):
    notes = {"name": "QuickLot Autos", "what_they_do": "Low prices", "our_difference": "Service"}
    rival = services.save_competitor(owner, notes, NOW)
    assert (rival.created_by, rival.updated_by, rival.updated_at) == (owner, owner, NOW)
    assert services.can_edit_competitor(owner, rival)
    assert services.can_edit_competitor(manager, rival)
    assert not services.can_edit_competitor(colleague, rival)
    with pytest.raises(ValidationError, match="Only a manager"):
        services.save_competitor(colleague, notes, NOW, rival)
    services.save_competitor(manager, {**notes, "notes": "Cut prices in May"}, NOW, rival)
    rival.refresh_from_db()
    assert (rival.notes, rival.updated_by) == ("Cut prices in May", manager)
    with pytest.raises(ValidationError, match="already"):
        services.save_competitor(colleague, {"name": "quicklot autos"}, NOW)
    with pytest.raises(ValidationError, match="Give the competitor a name"):
        services.save_competitor(colleague, {"name": "  "}, NOW)
    assert Competitor.objects.count() == 1
