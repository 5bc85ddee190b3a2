"""The demo: scores for the demo book and invitations in several states."""

from __future__ import annotations

from extramile.book.models import Contact
from extramile.runtime.demo import create_demo
from extramile.value.models import Invitation, ValueScore
from tests.conftest import NOW


def test_the_demo_has_scores_tiers_and_invitations(db):
    create_demo(customers=120, reps=5, seed=3, now=NOW)  # runs value.demo.populate
    assert Invitation.objects.count() >= 4
    assert ValueScore.objects.filter(score__gt=0).count() > 50
    states = set(Invitation.objects.values_list("status", flat=True))
    assert {"suggested", "invited", "accepted", "held"} <= states
    assert Contact.objects.filter(channel="meal").exists()
