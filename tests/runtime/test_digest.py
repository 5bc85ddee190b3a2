"""The daily digest: composed from the agenda, queued once per user and day through the outbox,
received by a real SMTP server on loopback with a text and an HTML part."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from extramile.agenda import services
from extramile.agenda.actions import put_many
from extramile.agenda.models import Priority, ScheduledRun
from extramile.agenda.registry import ActionSpec
from extramile.agenda.streaks import streak
from extramile.outbox.models import OutboxMessage
from extramile.runtime import digest, scheduler
from tests.conftest import NOW
from tests.outbox.conftest import smtp  # noqa: F401  (the loopback SMTP server fixture)

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 23)  # a Monday; NOW is 09:30 in New York


def spec(owner, key, due_on=DAY, kind="promise", priority=Priority.PROMISE):
    return ActionSpec(
        key=key, kind=kind, owner_id=owner.pk, title=f"Do {key}", due_on=due_on, priority=priority
    )


@pytest.fixture
def agenda(owner, customer):
    friday = DAY - dt.timedelta(days=3)
    put_many(
        [
            spec(owner, "brochure <b>now</b>", due_on=DAY - dt.timedelta(days=1)),
            spec(owner, "tyres"),
            spec(owner, "call", kind="call", priority=Priority.CALL),
            spec(owner, "friday-call", due_on=friday, kind="call"),
        ],
        NOW - dt.timedelta(days=3),
    )
    from extramile.agenda.models import Action

    done = Action.objects.get(key="friday-call")
    services.complete(done, dt.datetime(2026, 11, 20, 16, 0, tzinfo=dt.UTC))
    return owner


def test_the_digest_lists_today_yesterdays_wins_and_the_streak(agenda):
    composed = digest.build(agenda, DAY, NOW)
    assert composed.subject == "Today, Mon 23 Nov: 3 to do, 1 overdue"
    assert "Do tyres" in composed.text and "Do call" in composed.text
    assert "Do brochure <b>now</b> (due Sun 22 Nov)" in composed.text  # plain text, not escaped
    assert "Do brochure &lt;b&gt;now&lt;/b&gt;" in composed.html  # HTML, escaped
    assert "http://" in composed.text or "https://" in composed.text


def test_digest_send_goes_through_the_outbox_once(agenda, smtp, owner):  # noqa: F811
    out = io.StringIO()
    call_command("digest", "--user", owner.username, "--date", "2026-11-23", "--send", stdout=out)
    call_command("digest", "--user", owner.username, "--date", "2026-11-23", "--send", stdout=out)
    assert "1 digest queued" in out.getvalue()
    assert OutboxMessage.objects.filter(key=f"digest:{owner.pk}:2026-11-23").count() == 1
    [mail] = smtp.to(owner.email)
    assert mail["Subject"].startswith("Today, Mon 23 Nov: 3 to do")
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "Do tyres" in text and "Do tyres" in html
    assert "https://crm.harbour.example/" in text  # the link to Today
    assert "turn this e-mail off" in text


def test_the_digest_prints_without_sending(agenda, owner):
    out = io.StringIO()
    call_command("digest", "--user", owner.username, "--date", "2026-11-23", stdout=out)
    assert "Subject: Today, Mon 23 Nov" in out.getvalue()
    assert not OutboxMessage.objects.exists()


def test_the_schedule_queues_each_users_digest_once_at_their_time(owner, colleague, company):
    colleague.digest_enabled = False
    colleague.save()
    owner.digest_at = dt.time(7, 0)
    owner.save()
    before = dt.datetime(2026, 11, 23, 11, 59, tzinfo=dt.UTC)  # 06:59 in New York
    at_seven = dt.datetime(2026, 11, 23, 12, 1, tzinfo=dt.UTC)
    evening = dt.datetime(2026, 11, 23, 23, 0, tzinfo=dt.UTC)
    assert scheduler.enqueue_digests(before) == []
    assert scheduler.enqueue_digests(at_seven) == [f"digest:{owner.pk}:2026-11-23"]
    assert scheduler.enqueue_digests(at_seven + dt.timedelta(minutes=5)) == []
    assert scheduler.enqueue_digests(evening) == []
    assert ScheduledRun.objects.filter(key__startswith="digest:").count() == 1


def test_no_digest_without_an_address_or_when_turned_off(owner):
    owner.email = ""
    assert digest.queue(owner, DAY, NOW) is None
    owner.email = "olivia@example.com"
    owner.digest_enabled = False
    assert digest.queue(owner, DAY, NOW) is None


def test_a_streak_counts_working_days_with_the_whole_agenda_done(owner, company):
    from extramile.agenda.models import Action

    # Tue 17 – Fri 20 November: one action a day; Wed's was missed.
    days = [dt.date(2026, 11, d) for d in (17, 18, 19, 20)]
    put_many([spec(owner, f"a{d.day}", due_on=d) for d in days], NOW)
    for d in days:
        action = Action.objects.get(key=f"a{d.day}")
        if d.day == 18:
            Action.objects.filter(pk=action.pk).update(status="missed")
        else:
            services.complete(action, NOW)
    # Monday: Thu and Fri count (the weekend is passed over); Wednesday broke the streak.
    assert streak(owner, DAY) == 2
    # Today counts once today's agenda is clear.
    put_many([spec(owner, "today")], NOW)
    assert streak(owner, DAY) == 2
    services.complete(Action.objects.get(key="today"), NOW)
    assert streak(owner, DAY) == 3


def test_the_digest_carries_the_teams_latest_story_never_a_private_one(agenda, colleague):
    from extramile.culture.services import save_story

    save_story(colleague, NOW, what_done="Drove the spare key to the airport", visibility="team")
    save_story(colleague, NOW, what_done="A private thought", visibility="private")
    composed = digest.build(agenda, DAY, NOW)
    assert "Drove the spare key to the airport" in composed.text
    assert "Drove the spare key to the airport" in composed.html
    assert "A private thought" not in composed.text + composed.html
