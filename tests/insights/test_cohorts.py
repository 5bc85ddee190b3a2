"""The comparison: customers with N+ extra-mile actions in the last 12 months against the rest."""

from __future__ import annotations

import datetime as dt

from extramile.book.models import Customer
from extramile.insights.analytics import MIN_GROUP, Rate, cohorts
from tests.conftest import NOW, make_customer
from tests.insights.helpers import done, refer, sale

RECENT = NOW - dt.timedelta(days=30)
LONG_AGO = NOW - dt.timedelta(days=400)  # outside the last 12 months


def build(owner, outsider):
    """20 engaged customers and 25 others, with the answers counted by hand:

    engaged (3+ done in 12 months): 5 referred someone recently; 10 bought, 4 of them twice.
    the rest: 3 referred recently (one more only long ago); 8 bought, 2 of them twice; among
    them customers with 2 done actions, 3 done long ago, and 3 still open — none of which count.
    """
    elsewhere = make_customer(outsider, "Far", "Away")
    engaged = [make_customer(owner, f"E{i}", "Engaged") for i in range(20)]
    rest = [make_customer(owner, f"R{i}", "Rest") for i in range(25)]
    for c in engaged:
        done(c, RECENT, 3)
    done(rest[0], RECENT, 2)
    done(rest[1], LONG_AGO, 3)
    done(rest[2], RECENT, 3, status="open")
    for i, c in enumerate(engaged[:5]):
        refer(c, make_customer(outsider, f"Friend{i}", "E"), RECENT.date())
    for i, c in enumerate(rest[:3]):
        refer(c, make_customer(outsider, f"Friend{i}", "R"), RECENT.date())
    refer(rest[3], make_customer(outsider, "Old", "Friend"), LONG_AGO.date())
    for i, c in enumerate(engaged[:10]):
        sale(c, dt.date(2025, 3, 1))
        if i < 4:
            sale(c, dt.date(2026, 3, 1))
    for i, c in enumerate(rest[:8]):
        sale(c, dt.date(2025, 3, 1))
        if i < 2:
            sale(c, dt.date(2026, 3, 1))
    # The outsider's customer is engaged, referred and bought twice: never counted for the owner.
    done(elsewhere, RECENT, 5)
    sale(elsewhere, dt.date(2025, 1, 1))
    sale(elsewhere, dt.date(2025, 2, 1))


def test_the_comparison_matches_the_hand_count(owner, outsider):
    build(owner, outsider)
    result = cohorts(Customer.objects.visible_to(owner), NOW, 3)
    assert result.engaged.customers == 20 and result.rest.customers == 25
    assert result.engaged.referral == Rate(5, 20)
    assert result.rest.referral == Rate(3, 25)
    assert result.engaged.repeat == Rate(4, 10)
    assert result.rest.repeat == Rate(2, 8)
    assert str(result.engaged.referral) == "25% of 20"
    assert str(result.rest.referral) == "12% of 25"
    # fewer than MIN_GROUP buyers behind the repeat rates: the page says so, with the count
    assert str(result.engaged.repeat) == "not enough data (10 customers)"


def test_a_lower_n_moves_customers_into_the_engaged_group(owner, outsider):
    build(owner, outsider)
    result = cohorts(Customer.objects.visible_to(owner), NOW, 2)
    assert result.engaged.customers == 21  # rest[0] had two done
    assert result.engaged.referral == Rate(6, 21)  # and rest[0] referred someone


def test_below_the_threshold_there_is_not_enough_data(owner):
    few = [make_customer(owner, f"F{i}", "Few") for i in range(MIN_GROUP - 1)]
    for c in few:
        done(c, RECENT, 3)
    result = cohorts(Customer.objects.visible_to(owner), NOW, 3)
    assert not result.engaged.referral.enough
    assert str(result.engaged.referral) == f"not enough data ({MIN_GROUP - 1} customers)"
    assert str(result.rest.referral) == "not enough data (0 customers)"
    assert Rate(0, 0).percent == "–"


def test_a_manager_counts_the_team_and_an_admin_everyone(owner, colleague, manager, outsider):
    build(owner, outsider)
    for i in range(3):
        done(make_customer(colleague, f"C{i}", "Team"), RECENT, 3)
    assert cohorts(Customer.objects.visible_to(manager), NOW, 3).engaged.customers == 23
    assert cohorts(Customer.objects.visible_to(colleague), NOW, 3).engaged.customers == 3
