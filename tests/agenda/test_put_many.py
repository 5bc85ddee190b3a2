"""Writing a planner's batch: new actions are created, a re-plan refreshes only the wording and
priority of those that changed and leaves everything a rep did (and untouched rows) alone."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from extramile.agenda.actions import close, put_many
from extramile.agenda.models import Action, ActionStatus, Priority
from extramile.agenda.registry import ActionSpec
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 23)
LATER = NOW + dt.timedelta(hours=20)


def specs(owner, n=3):
    return [
        ActionSpec(
            key=f"promise:{i}",
            kind="promise",
            owner_id=owner.pk,
            title=f"Keep promise {i}",
            due_on=DAY,
            priority=Priority.PROMISE,
        )
        for i in range(n)
    ]


def test_a_replan_of_the_same_batch_reads_once_and_writes_nothing(owner):
    assert put_many(specs(owner), NOW) == 3
    with CaptureQueriesContext(connection) as queries:
        assert put_many(specs(owner), LATER) == 0
    assert len(queries) == 1 and queries[0]["sql"].lstrip().upper().startswith("SELECT")
    assert set(Action.objects.values_list("updated_at", flat=True)) == {NOW}


def test_a_replan_refreshes_changed_wording_and_keeps_what_the_rep_did(owner):
    put_many(specs(owner), NOW)
    close("promise:0", NOW, outcome="Sent the brochure")
    changed = specs(owner, 4)
    changed[0] = dataclasses.replace(changed[0], title="Keep promise 0, reworded")
    changed[1] = dataclasses.replace(changed[1], priority=Priority.HIGH)
    assert put_many(changed, LATER) == 1
    rows = {action.key: action for action in Action.objects.all()}
    assert rows["promise:0"].title == "Keep promise 0, reworded"
    assert rows["promise:0"].status == ActionStatus.DONE
    assert rows["promise:0"].outcome == "Sent the brochure"
    assert rows["promise:0"].updated_at == LATER
    assert rows["promise:1"].priority == Priority.HIGH and rows["promise:1"].updated_at == LATER
    assert rows["promise:2"].updated_at == NOW
    assert rows["promise:3"].created_at == LATER
