"""Today as sections with live counts; deadlines with their dates; a manager's team block.

Fixed at ``NOW`` (Monday 23 November 2026, 14:30 UTC: 09:30 in the company's New York)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from extramile.agenda import engine
from extramile.agenda.models import Action, ActionStatus
from extramile.book.models import Promise
from extramile.culture.models import Story
from extramile.inbox.services import log_inbound
from extramile.service.services import open_request
from tests.conftest import NOW, PASSWORD, make_customer

pytestmark = pytest.mark.django_db

TODAY = "http://testserver/"


def row_post(client, name: str, action: Action, page: str = TODAY, **data):
    """A button on a row of ``page``, as htmx sends it."""
    return client.post(
        reverse(name, args=[action.pk]),
        data,
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET=f"action-{action.pk}",
        HTTP_HX_CURRENT_URL=page,
    ).content.decode()


def count(html: str, slug: str) -> int:
    found = re.search(rf'id="today-count-{slug}"[^>]*>(\d+)<', html)
    assert found, f"no count for {slug}"
    return int(found.group(1))


def to_do(html: str) -> int:
    found = re.search(r'id="today-counts".*?<strong>(\d+)</strong> to do', html, re.S)
    assert found
    return int(found.group(1))


@pytest.fixture
def logged_in(client, owner):
    assert client.login(username=owner.username, password=PASSWORD)
    return client


@pytest.fixture
def agenda(owner, customer):
    """Two promises due today, one due on Wednesday (on Today two days ahead), a reply owed since
    last Tuesday evening, planned for today."""
    day = owner.local_date(NOW)
    for text in ("Send the brochure", "Call about the trade-in"):
        Promise.objects.create(customer=customer, description=text, due_on=day)
    Promise.objects.create(
        customer=customer, description="Book the tyre change", due_on=day + dt.timedelta(days=2)
    )
    customer.emails.create(address="anna@example.com", is_primary=True)
    log_inbound(
        channel="email",
        from_address="anna@example.com",
        received_at=dt.datetime(2026, 11, 17, 22, 57, tzinfo=dt.UTC),  # Tue 17 Nov 17:57 local
        summary="Is the winter service due?",
        now=NOW,
        owner=owner,
    )
    engine.plan_local_today(NOW)
    return {a.key: a for a in Action.objects.filter(owner=owner)}


def test_today_is_in_sections_with_their_counts(logged_in, agenda):
    page = logged_in.get(reverse("today")).content.decode()
    assert (count(page, "promises"), count(page, "replies"), count(page, "service")) == (3, 1, 0)
    assert to_do(page) == sum(
        count(page, s)
        for s in ["service", "replies", "promises", "notes", "cards", "calls", "rest"]
    )
    # Collapsible sections; an empty one is closed and says so.
    assert '<details class="today-section" id="promises" open>' in page
    assert '<details class="today-section" id="service">' in page
    assert "No open requests." in page


def test_counts_update_out_of_band_after_done_skip_and_snooze(logged_in, owner, agenda):
    promises = [a for a in agenda.values() if a.kind == "promise"]
    total = to_do(logged_in.get(reverse("today")).content.decode())
    done = row_post(logged_in, "action-done", promises[0])
    assert 'hx-swap-oob="true"' in done
    assert count(done, "promises") == 2 and to_do(done) == total - 1
    skipped = row_post(logged_in, "action-skip", promises[1])
    assert count(skipped, "promises") == 1
    later = (owner.local_date(NOW) + dt.timedelta(days=3)).isoformat()
    snoozed = row_post(logged_in, "action-snooze", promises[2], until=later)
    assert count(snoozed, "promises") == 0 and to_do(snoozed) == total - 3
    assert "<strong>1</strong> done" in snoozed  # skipped and snoozed are not done
    undone = row_post(logged_in, "action-undo", promises[0])
    assert count(undone, "promises") == 1
    # The page agrees with the last answer.
    page = logged_in.get(reverse("today")).content.decode()
    assert count(page, "promises") == 1 and to_do(page) == total - 2


def test_other_pages_rows_get_no_counts(logged_in, agenda):
    """The Calls page shows rows too, without counters: an out-of-band swap there would have no
    target (an error in the browser)."""
    action = next(a for a in agenda.values() if a.kind == "promise")
    html = row_post(logged_in, "action-done", action, page="http://testserver/calls/")
    assert "hx-swap-oob" not in html
    plain = logged_in.post(reverse("action-skip", args=[action.pk]))  # no htmx: a redirect
    assert plain.status_code == 302


def test_a_reply_row_gives_its_dates_and_says_business_hours(logged_in, agenda):
    page = logged_in.get(reverse("today")).content.decode()
    # A week-old message shows its date, not only "Tue 17:57".
    assert "received Tue 17 Nov 17:57" in page
    assert "(business hours)" in page
    assert "of business time" in page and "overdue by" in page


def test_a_promise_row_says_its_own_due_day(logged_in, agenda, owner):
    page = logged_in.get(reverse("today")).content.decode()
    assert "due today, Mon 23 Nov" in page
    assert "due Wed 25 Nov" in page  # the promise's day, though it shows on Today from now
    assert "Due Wed 25 Nov." in page  # and its detail says the same day the same way


EARLY = dt.datetime(2026, 11, 24, 10, 27, tzinfo=dt.UTC)  # Tue 05:27 in New York


@pytest.mark.time_machine(EARLY)
def test_a_reply_due_later_today_shows_business_and_clock_time(client, owner, customer):
    """Before the office opens, a reply due later today has business time left that is not the
    clock's: both are said."""
    early = EARLY
    customer.phones.create(number="+12025550123", is_primary=True)
    message = log_inbound(
        channel="voicemail",
        from_address="+12025550123",
        received_at=dt.datetime(2026, 11, 23, 23, 30, tzinfo=dt.UTC),  # Mon 18:30 local
        summary="Call me back",
        now=early,
        owner=owner,
    )
    engine.plan_local_today(early)
    assert client.login(username=owner.username, password=PASSWORD)
    page = client.get(reverse("today")).content.decode()
    due = message.reply_due_at.astimezone(owner.zone())
    assert f"Reply by <strong>tomorrow {due:%H:%M}</strong>" not in page
    assert f"Reply by <strong>today {due:%H:%M}</strong>" in page
    assert "left</strong> of business time, that is in " in page


def test_cards_row_and_calendar_feed_count_the_same_cards(client, owner, customer):
    """Writing cards changes the batch row at once ("2 of 3 written"), and the feed's item says
    the same number of cards as Today's row."""
    from extramile.cards.agenda import batches
    from extramile.cards.models import Card, CardStatus
    from extramile.feeds.agenda import items

    others = [
        make_customer(
            owner,
            "Ben",
            f"Lee{n}",
            street="1 Main St",
            city="Portland",
            region="ME",
            postal_code="04101",
            country="US",
        )
        for n in range(2)
    ]
    day = owner.local_date(NOW)
    for person in [customer, *others]:
        person.street, person.city, person.region = "1 Main St", "Portland", "ME"
        person.postal_code, person.country = "04101", "US"
        person.birth_month, person.birth_day = 11, 27
        person.save()
    engine.plan_local_today(NOW)
    batch = Action.objects.get(owner=owner, kind="cards")
    mail_by = batches([owner.pk], day, day + dt.timedelta(days=30))[0]
    Card.objects.filter(pk__in=Card.objects.filter(owner=owner).values("pk")[:2]).update(
        status=CardStatus.WRITTEN
    )
    assert client.login(username=owner.username, password=PASSWORD)
    page = client.get(reverse("today")).content.decode()
    assert f"2 of {mail_by.total} written" in page
    assert f"Mail {mail_by.total} cards" in page
    feed = [i for i in items(owner, NOW) if i.category == "Cards"]
    assert [i.summary for i in feed] == [f"Mail {mail_by.total} cards"]
    assert batch.status == ActionStatus.OPEN


def test_a_manager_sees_who_needs_a_hand(client, manager, owner, colleague, customer):
    open_request(
        customer=customer, subject="Rattle", opened_by=owner, now=NOW - dt.timedelta(days=7)
    )
    log_inbound(
        channel="call",
        from_address="+12025550199",
        received_at=NOW - dt.timedelta(days=3),
        summary="Call back",
        now=NOW - dt.timedelta(days=3),
        owner=owner,
    )
    Story.objects.create(
        author=colleague,
        date=owner.local_date(NOW),
        situation="A flat tyre",
        what_done="Fixed it",
        created_at=NOW,
        updated_at=NOW,
    )
    assert client.login(username=manager.username, password=PASSWORD)
    page = client.get(reverse("today")).content.decode()
    block = page[page.index('class="card today-team"') :]
    block = block[: block.index("</details>")]
    replies = block[block.index("Behind on replies") : block.index("Service breaches")]
    breaches = block[block.index("Service breaches") : block.index("No story this week")]
    stories = block[block.index("No story this week") :]
    assert "Olivia" in replies and "Colin" not in replies
    assert "Olivia" in breaches
    assert "Olivia" in stories and "Colin" not in stories


def test_a_rep_has_no_team_block(logged_in, agenda):
    assert "today-team" not in logged_in.get(reverse("today")).content.decode()


@pytest.mark.time_machine(NOW)
def test_today_runs_no_query_per_row(client):
    """Each kind's records are fetched once for the page's rows (``habits.prefetch``) and a row
    reads only what the agenda query brought: with every section unfolded (``?all=1``), no
    statement runs again for another row. (Each section reads its own rows: one query a section.)"""
    from collections import Counter

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from extramile.accounts.models import User
    from extramile.runtime.demo import create_demo

    create_demo(customers=300, reps=1, seed=3, password=PASSWORD, now=NOW)
    engine.plan_local_today(NOW)
    rep = User.objects.filter(role="rep").first()
    client.login(username=rep.username, password=PASSWORD)
    with CaptureQueriesContext(connection) as ran:
        page = client.get(TODAY + "?all=1").content.decode()
    assert page.count('class="action') > 20  # many rows of several kinds
    # The same statement but for its numbers (ids) twice is a query per row; the sections' own
    # queries differ by their kinds.
    shapes = Counter(re.sub(r"\b\d+\b", "?", q["sql"]) for q in ran)
    repeated = {
        f"{n}x " + re.sub(r"SELECT .*? FROM", "SELECT … FROM", sql)[:200]
        for sql, n in shapes.items()
        if n > 1
    }
    assert not repeated, sorted(repeated)
