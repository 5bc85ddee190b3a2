"""Rollups: figures over whole books, counted per owner once a day and kept — read back by any
scope, counted again when missing or a day old, refreshed by the nightly plan; and the same
answers as counting now."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extramile.accounts.models import User
from extramile.agenda import engine
from extramile.book.models import Customer, Tier
from extramile.inbox.figures import weighted_median
from extramile.insights import analytics
from extramile.outreach.coverage import coverage, kept_shares
from extramile.rollups.models import OwnerRollup
from extramile.rollups.store import read
from tests.conftest import NOW, make_customer
from tests.insights.helpers import done, refer, sale

pytestmark = pytest.mark.django_db

RECENT = NOW - dt.timedelta(days=30)


def small_book(owner, outsider):
    for i in range(4):
        c = make_customer(owner, f"E{i}", "Engaged")
        done(c, RECENT, 3)
        sale(c, dt.date(2025, 3, 1))
        if i < 2:
            sale(c, dt.date(2026, 3, 1))
            refer(c, make_customer(owner, f"F{i}", "Friend"), RECENT.date())
    make_customer(owner, "Quiet", "One")
    x = make_customer(outsider, "Xena", "X")
    done(x, RECENT, 5)
    sale(x, dt.date(2025, 1, 1))


def test_the_kept_counts_are_the_counts_of_now(owner, outsider, manager, admin_user):
    small_book(owner, outsider)
    for user in (owner, manager, admin_user):
        for n in (1, 3, 4):
            live = analytics.customer_counts(analytics.book(user), NOW, n)
            assert analytics.kept_counts(user, NOW, n).counts == live, (user, n)
    assert analytics.kept_counts(owner, NOW, 3).counts["engaged"] == 4
    assert analytics.kept_counts(admin_user, NOW, 3).counts["engaged"] == 5


def test_kept_figures_are_read_back_until_a_day_old(owner, outsider):
    small_book(owner, outsider)
    first = analytics.kept_counts(owner, NOW, 3)
    assert first.as_of == NOW and first.counts["total"] == 7
    make_customer(owner, "New", "Customer")
    later = NOW + dt.timedelta(hours=5)
    kept = analytics.kept_counts(owner, later, 3)
    assert kept.counts["total"] == 7 and kept.as_of == NOW  # read back, not counted again
    next_day = NOW + dt.timedelta(hours=24, minutes=1)
    fresh = analytics.kept_counts(owner, next_day, 3)
    assert fresh.counts["total"] == 8 and fresh.as_of == next_day


def test_figures_counted_after_the_moment_asked_about_are_not_used(owner, outsider):
    small_book(owner, outsider)
    analytics.kept_counts(owner, NOW, 3)
    assert analytics.kept_counts(owner, NOW, 3).counts["engaged"] == 4
    earlier = NOW - dt.timedelta(days=60)  # before every action: nobody engaged yet
    assert analytics.kept_counts(owner, earlier, 3).counts["engaged"] == 0


def test_each_owner_is_kept_once_and_a_scope_reads_only_its_owners(owner, colleague, outsider):
    small_book(owner, outsider)
    make_customer(colleague, "Col", "Customer")
    found = read("insights.book", [owner.pk, colleague.pk, outsider.pk], NOW)
    assert set(found.data) == {owner.pk, colleague.pk, outsider.pk}
    read("insights.book", [owner.pk], NOW)
    assert OwnerRollup.objects.filter(name="insights.book").count() == 3
    assert analytics.kept_counts(colleague, NOW, 1).counts["total"] == 1


def test_an_owner_with_an_empty_book_is_kept_as_empty(owner):
    assert analytics.kept_counts(owner, NOW, 3).counts["total"] == 0
    row = OwnerRollup.objects.get(owner=owner, name="insights.book")
    assert row.data == {}


def test_the_nightly_plan_job_counts_every_rollup_for_its_zones_owners(
    owner, colleague, outsider, settings
):
    from extramile.runtime.tasks import plan_zone

    small_book(owner, outsider)
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "plans"],
        }
    }
    outsider.time_zone = "Europe/Berlin"
    outsider.save()
    zones = engine.zones(User.objects.filter(is_active=True))
    zone = next(name for name, ids in zones.items() if owner.pk in ids)
    plan_zone.call(NOW.date().isoformat(), zone)
    kept = OwnerRollup.objects.filter(owner=owner)
    assert {row.name for row in kept} == {"insights.book", "outreach.coverage", "team.weekly"}
    assert set(OwnerRollup.objects.values_list("owner_id", flat=True)) == set(zones[zone])
    assert outsider.pk not in zones[zone] and colleague.pk in zones[zone]


def test_the_insights_page_figures_are_kept_per_scope_for_a_day(owner, outsider, manager):
    small_book(owner, outsider)
    first = analytics.page_figures(owner, NOW)
    assert sum(count for _, count in first["referrals"]) == 2
    refer(
        make_customer(owner, "Late", "Referrer"),
        make_customer(owner, "G", "Friend"),
        NOW.date(),
    )
    later = analytics.page_figures(owner, NOW + dt.timedelta(hours=3))
    assert later["counted_at"] == NOW
    assert later["referrals"] == first["referrals"] and later["rewards"] == first["rewards"]
    assert later["responses"] == first["responses"] and later["families"] == first["families"]
    # the manager's scope is another scope: counted for them, with the new referral
    assert sum(count for _, count in analytics.page_figures(manager, NOW)["referrals"]) == 3
    tomorrow = analytics.page_figures(owner, NOW + dt.timedelta(days=1, minutes=1))
    assert sum(count for _, count in tomorrow["referrals"]) == 3


def test_a_change_of_team_is_a_new_scope_at_once(owner, colleague, manager, other_team):
    before = analytics.scope_key(manager)
    assert before == analytics.scope_key(manager)
    colleague.team = other_team
    colleague.save()
    assert analytics.scope_key(manager) != before
    assert analytics.scope_key(owner) != before


def test_kept_coverage_matches_coverage_counted_now(owner, colleague, company):
    cadence = company.cadence_days(Tier.A)
    make_customer(owner, "Near", "A", tier=Tier.A, last_contact_at=NOW - dt.timedelta(days=1))
    make_customer(
        owner, "Far", "A", tier=Tier.A, last_contact_at=NOW - dt.timedelta(days=cadence + 1)
    )
    make_customer(owner, "Never", "C")
    make_customer(owner, "Gone", "C", status="former")
    make_customer(colleague, "Col", "B", tier=Tier.B, last_contact_at=NOW)
    live = {row.rep.pk: (row.within, row.customers) for row in coverage([owner, colleague], NOW)}
    assert (
        kept_shares([owner.pk, colleague.pk], NOW)
        == live
        == {
            owner.pk: (1, 3),
            colleague.pk: (1, 1),
        }
    )


def test_visible_owners_include_inactive_owners_but_visible_users_do_not(
    owner, colleague, manager, admin_user
):
    colleague.is_active = False
    colleague.save()
    make_customer(colleague, "Still", "Counted")
    owners = set(User.objects.visible_to(manager))
    assert {owner, colleague, manager} <= owners
    assert Customer.objects.visible_to(manager).filter(owner=colleague).exists()
    assert set(User.objects.visible_to(owner)) == {owner}
    assert set(User.objects.visible_to(admin_user)) >= {owner, colleague, manager, admin_user}


@given(st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=40))
def test_the_median_of_counted_minutes_is_the_plain_median(values):
    assert weighted_median(Counter(values)) == statistics.median(values)


def test_every_rollup_is_registered_when_django_starts():
    """A worker process imports no page: the rollups must be known from the apps alone."""
    import os
    import subprocess
    import sys

    code = (
        "import django; django.setup(); from extramile.rollups.store import ROLLUPS; "
        "print(sorted(ROLLUPS))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "extramile.settings"},
    ).stdout
    assert found.strip() == "['insights.book', 'outreach.coverage', 'team.weekly']"
