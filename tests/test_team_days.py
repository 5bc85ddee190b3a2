"""The Team page's kept days (``team/days.py``): the figures read from the per-rep per-day rollup
are exactly the figures counted live from the records, for a week, a month and a quarter; and
stay so after a past day's record is written by any path (the triggers drop the day), after time
passes (a message's reply deadline), and after the company changes its zone."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection

from extramile.accounts.models import Company, User
from extramile.agenda.models import Action
from extramile.cards.models import Card, Occasion
from extramile.inbox.models import InboundMessage
from extramile.outreach.models import Call
from extramile.rollups.store import refresh_all
from extramile.team import days, figures, triggers
from extramile.team.models import RepDay, RepDayReply
from extramile.web.team import team_members
from tests.conftest import make_customer

pytestmark = pytest.mark.django_db

# Thursday 26 November 2026, 22:30 in New York (already Friday in UTC): three finished days this
# week, the evening's records a day ahead of their UTC date.
NOW = dt.datetime(2026, 11, 27, 3, 30, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 26)
KINDS = ("week", "month", "quarter")


def history(reps: list[User], seed: int = 3) -> None:
    """Some 130 days of varied work per rep before ``NOW`` (and some of today's), written in bulk:
    records at every hour (so some fall either side of local midnight), thank-you notes mailed
    before, on and after their mail-by day, messages answered in and out of time, unanswered
    (some still inside their deadline at ``NOW``) and breached."""
    rng = random.Random(seed)
    thank_you = Occasion.objects.get(code="thank_you")
    birthday = Occasion.objects.get(code="birthday")
    actions, cards, messages = [], [], []
    n = 0
    for rep in reps:
        customer = make_customer(rep, "Casey", f"Jones{rep.pk}")
        for back in range(130):
            day = NOW - dt.timedelta(days=back)
            for _ in range(rng.randrange(4)):
                n += 1
                at = day - dt.timedelta(hours=rng.uniform(0, 24))
                status = rng.choice(["done", "done", "skipped", "open"])
                actions.append(
                    Action(
                        key=f"t:{n}",
                        kind=rng.choice(["call", "promise"]),
                        owner=rep,
                        customer=customer,
                        title="x",
                        due_on=at.date(),
                        status=status,
                        completed_at=at if status != "open" else None,
                        created_at=at,
                        updated_at=at,
                    )
                )
            for _ in range(rng.randrange(3)):
                at = day - dt.timedelta(hours=rng.uniform(0, 24))
                mail_by = (at - dt.timedelta(hours=5)).date() + dt.timedelta(rng.randint(-2, 2))
                cards.append(
                    Card(
                        occasion=rng.choice([thank_you, thank_you, birthday]),
                        year=2026,
                        occasion_on=dt.date(2020, 1, 1) + dt.timedelta(days=len(cards)),
                        mail_by=mail_by,
                        owner=rep,
                        customer=customer,
                        status=rng.choice(["mailed", "mailed", "mailed", "skipped"]),
                        mailed_at=at,
                        override_reason=rng.choice(["", "", "Nothing known yet"]),
                        created_at=at,
                        updated_at=at,
                    )
                )
            for _ in range(rng.randrange(4)):
                received = day - dt.timedelta(hours=rng.uniform(0, 24))
                due = received + dt.timedelta(hours=rng.choice([1, 1, 2, 30]))
                replied = rng.random() < 0.7
                minutes = rng.randrange(1, 300) if replied else None
                messages.append(
                    InboundMessage(
                        channel="email",
                        received_at=received,
                        owner=rep,
                        customer=customer,
                        reply_due_at=due,
                        replied_at=received + dt.timedelta(minutes=minutes) if minutes else None,
                        response_minutes=minutes,
                        breached=rng.random() < 0.1,
                        created_at=received,
                    )
                )
    Action.objects.bulk_create(actions)
    calls = [
        Call(action=a, customer_id=a.customer_id, user_id=a.owner_id, at=a.completed_at)
        for a in Action.objects.filter(kind="call", status="done")
    ]
    Call.objects.bulk_create(calls)
    Card.objects.bulk_create(cards)
    InboundMessage.objects.bulk_create(messages)


def assert_kept_equals_live(reps: list[User], now: dt.datetime = NOW) -> None:
    day = now.astimezone(Company.get().zone).date()
    for kind in KINDS:
        kept = figures.build(reps, kind, day, now)
        live = figures.build(reps, kind, day, now, live=True)
        assert kept.cells == live.cells, kind
        assert kept.team == live.team, kind


@pytest.fixture
def reps(owner, colleague, outsider) -> list[User]:
    people = [owner, colleague, outsider]
    history(people)
    return people


def test_the_triggers_are_in_place():
    # Cards are inserted planned (mailed_at is set by an update): no INSERT trigger on them.
    expected = 3 * len(triggers.SOURCES) - len(triggers.NO_INSERT_TRIGGER)
    assert len(triggers.installed(connection)) == expected


def test_kept_figures_equal_the_live_count_for_every_period(reps):
    assert_kept_equals_live(reps)
    # Every finished day of the quarter is kept, today is not; the figures are not all zero.
    assert RepDay.objects.filter(day=TODAY).count() == 0
    assert RepDay.objects.filter(rep=reps[0]).count() == (TODAY - dt.date(2026, 10, 1)).days
    board = figures.build(reps, "quarter", TODAY, NOW)
    assert all(board.team[key].number for key in ("done", "calls", "cards", "thanks_on_time"))
    assert board.team["reply_median"].number is not None
    # A second view counts nothing: it reads what the first one kept.
    written = RepDay.objects.order_by("pk").values_list("pk", flat=True)
    before = list(written)
    assert_kept_equals_live(reps)
    assert list(written) == before


def test_a_manager_sees_only_their_team(reps, manager):
    people = team_members(manager)
    assert reps[2] not in people
    assert_kept_equals_live(people)
    assert not RepDay.objects.filter(rep=reps[2]).exists()


def test_a_past_days_record_written_by_any_path_drops_that_day(reps):
    owner, colleague, _ = reps
    assert_kept_equals_live(reps)
    zone = Company.get().zone
    done = Action.objects.filter(owner=owner, status="done", completed_at__lt=NOW).order_by("pk")

    # A bulk update (no signal): an action done 20 days ago moved to another rep.
    action = done[5]
    local = action.completed_at.astimezone(zone).date()
    Action.objects.filter(pk=action.pk).update(owner=colleague)
    assert not RepDay.objects.filter(rep=owner, day=local).exists()
    assert not RepDay.objects.filter(rep=colleague, day=local).exists()
    assert_kept_equals_live(reps)

    # A save(): an action skipped last month, done after all.
    skipped = Action.objects.filter(owner=owner, status="skipped").order_by("pk")[3]
    skipped.status = "done"
    skipped.save()
    assert_kept_equals_live(reps)

    # A card's mail-by day moved, another's guard override cleared, a third deleted.
    mailed = Card.objects.filter(owner=colleague, status="mailed", mailed_at__lt=NOW)
    first, second, third = mailed.order_by("pk")[:3]
    first.mail_by -= dt.timedelta(days=3)
    first.save()
    Card.objects.filter(pk=second.pk).update(override_reason="", occasion=first.occasion)
    third.delete()
    assert_kept_equals_live(reps)

    # A call deleted; a message answered late, another one marked breached.
    Call.objects.filter(user=owner).order_by("pk")[2].delete()
    waiting = InboundMessage.objects.filter(owner=owner, replied_at__isnull=True)
    message = waiting.order_by("pk")[0]
    message.replied_at = message.received_at + dt.timedelta(hours=40)
    message.response_minutes = 2400
    message.save()
    answered = InboundMessage.objects.filter(owner=colleague, replied_at__isnull=False)
    InboundMessage.objects.filter(pk__in=list(answered.values_list("pk", flat=True)[:2])).update(
        breached=True
    )
    assert_kept_equals_live(reps)

    # Raw SQL too: a new action done a week ago.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE agenda_action SET status = 'done', completed_at = %s WHERE id = %s",
            [NOW - dt.timedelta(days=7), done[0].pk],
        )
    assert_kept_equals_live(reps)


def test_a_reply_deadline_passing_judges_the_day_again(reps):
    # Yesterday evening's messages, still inside their deadline at NOW.
    for hours in (2, 4):
        InboundMessage.objects.create(
            channel="email",
            received_at=NOW - dt.timedelta(hours=30),
            owner=reps[0],
            reply_due_at=NOW + dt.timedelta(hours=hours),
            created_at=NOW - dt.timedelta(hours=30),
        )
    assert_kept_equals_live(reps)
    pending = RepDay.objects.filter(valid_until__isnull=False)
    assert pending.exists()  # messages of past days still inside their deadline at NOW
    for hours in (1, 5, 26, 50):
        assert_kept_equals_live(reps, NOW + dt.timedelta(hours=hours))


def test_the_nightly_count_keeps_the_quarters_finished_days(reps):
    refresh_all([rep.pk for rep in reps], NOW)
    first = dt.date(2026, 10, 1)
    assert RepDay.objects.filter(rep=reps[0], day__gte=first).count() == (TODAY - first).days
    assert RepDayReply.objects.exists()
    assert (
        days.ensure(
            [rep.pk for rep in reps], first, TODAY - dt.timedelta(days=1), NOW, Company.get()
        )
        == 0
    )
    assert_kept_equals_live(reps)


def test_a_change_of_zone_counts_the_days_again(reps, company):
    assert_kept_equals_live(reps)
    company.time_zone = "Pacific/Kiritimati"
    company.save()
    assert_kept_equals_live(reps)
    assert set(RepDay.objects.values_list("zone", flat=True)) == {"Pacific/Kiritimati"}


def test_rows_counted_after_the_moment_asked_about_are_not_used(reps):
    later = NOW + dt.timedelta(days=3)
    assert_kept_equals_live(reps, later)
    assert_kept_equals_live(reps)


def test_todays_answers_all_faster_or_slower_move_the_median_as_counted_live(reps):
    # The kept days give only the response times near their own middle; today's answers, all
    # quicker than any kept one (or all slower), shift the median to the window's edge.
    assert_kept_equals_live(reps)
    for rep, minutes in ((reps[0], 0), (reps[1], 100_000)):
        for k in range(9):
            received = NOW - dt.timedelta(hours=2, minutes=k)
            InboundMessage.objects.create(
                channel="email",
                received_at=received,
                owner=rep,
                reply_due_at=received + dt.timedelta(hours=1),
                replied_at=received + dt.timedelta(minutes=1),
                response_minutes=minutes,
                created_at=received,
            )
        assert_kept_equals_live(reps)


def test_a_view_that_cannot_keep_its_days_counts_them_live(reps, monkeypatch):
    from django.db import OperationalError

    def busy(*args, **kwargs):
        raise OperationalError("lock timeout")

    monkeypatch.setattr(days, "keep", busy)
    assert_kept_equals_live(reps)
    assert not RepDay.objects.exists()
