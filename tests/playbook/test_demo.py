"""The demo: competitors and opportunities with answered checklists, the same for the same seed."""

from __future__ import annotations

import random

from extramile.playbook import demo, rates
from extramile.playbook.models import Competitor, Opportunity
from tests.conftest import NOW, make_customer


def test_demo_opportunities(owner, colleague):
    for n in range(70):
        make_customer(owner if n % 2 else colleague, f"First{n}", f"Last{n}")
    assert demo.populate(NOW, random.Random(7)) == 60
    assert Competitor.objects.count() == 4
    closed = rates.overall(Opportunity.objects.all())
    assert 30 <= closed.total < 60 and 0 < closed.won < closed.total
    assert all(o.closed_on is None or o.closed_on <= NOW.date() for o in Opportunity.objects.all())
    moves = rates.win_rates(Opportunity.objects.all())
    assert sum(r.with_move.total for r in moves) > 0
