"""The calendar feed: parsed back with icalendar, 30 days, stable UIDs, private, revocable."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from extramile.agenda.models import Action
from extramile.api.tokens import hash_secret
from extramile.book import services as book_services
from extramile.book.models import KeyDate, KeyDateKind, Promise, Status
from extramile.feeds import ical, links
from extramile.feeds.models import CalendarFeed
from extramile.service.services import open_request
from extramile.value.models import Invitation, InvitationStatus
from tests.conftest import PASSWORD, make_customer

pytestmark = pytest.mark.django_db

# NOW (tests/conftest.py) is Monday 23 November 2026, 09:30 in New York: the window is
# 23 November to 22 December.


def events(data: bytes) -> dict[str, dict]:
    cal = Calendar.from_ical(data)
    found = {}
    for ev in cal.walk("VEVENT"):
        found[str(ev["UID"])] = {
            "summary": str(ev["SUMMARY"]),
            "start": ev.decoded("DTSTART"),
            "end": ev.decoded("DTEND"),
            "stamp": ev.decoded("DTSTAMP"),
        }
    return found


def summaries(data: bytes) -> set[str]:
    return {e["summary"] for e in events(data).values()}


def action(owner, key, title, due_on, now, **extra):
    return Action.objects.create(
        key=key,
        kind=extra.pop("kind", "follow_up"),
        owner=owner,
        title=title,
        due_on=due_on,
        created_at=now,
        updated_at=now,
        **extra,
    )


@pytest.fixture
def agenda(owner, colleague, customer, colleague_customer, now):
    """The owner's agenda for the coming weeks, and some of the colleague's."""
    today = dt.date(2026, 11, 23)
    make_customer(owner, "Last", "Day", birth_month=12, birth_day=22)
    make_customer(owner, "Too", "Late", birth_month=12, birth_day=23)
    make_customer(owner, "Gone", "Away", birth_month=11, birth_day=24, status=Status.FORMER)
    KeyDate.objects.create(customer=customer, kind=KeyDateKind.WEDDING, month=12, day=1, year=2006)
    Promise.objects.create(
        customer=customer, description="Send the brochure", due_on=today + dt.timedelta(days=7)
    )
    Promise.objects.create(
        customer=customer, description="Far away", due_on=today + dt.timedelta(days=40)
    )
    Promise.objects.create(customer=customer, description="Kept already", due_on=today, met_at=now)
    book_services.record_sale(
        customer, today, "Bike", Decimal("100"), owner, now=now
    )  # a note to mail
    Invitation.objects.create(
        customer=customer,
        owner=owner,
        period_start=today,
        suggested_on=today,
        kind="lunch",
        status=InvitationStatus.ACCEPTED,
        meal_on=today + dt.timedelta(days=12),
        created_at=now,
        updated_at=now,
    )
    open_request(customer=customer, subject="Squeaky brakes", opened_by=owner, now=now)
    action(
        owner, "t:1", "Ask how the bike rides", today + dt.timedelta(days=3), now, customer=customer
    )
    action(owner, "t:2", "Long after", today + dt.timedelta(days=31), now)
    action(colleague, "t:3", "Colleague's follow-up", today + dt.timedelta(days=1), now)
    open_request(
        customer=colleague_customer, subject="Colleague's request", opened_by=colleague, now=now
    )


def test_feed_holds_the_next_30_days_of_the_users_agenda(owner, agenda, now):
    data = ical.feed(owner, now)
    found = events(data)
    titles = summaries(data)
    assert "Birthday: Anna Smith (turns 46)" in titles
    assert "Birthday: Last Day" in titles  # the window's last day
    assert "Birthday: Too Late" not in titles
    assert "Birthday: Gone Away" not in titles  # former customers
    assert "Wedding anniversary: Anna Smith (20 years)" in titles
    assert "We promised: Send the brochure (Anna Smith)" in titles
    assert not {t for t in titles if "Far away" in t or "Kept already" in t}
    # The thank-you note is its own item, as on Today, and not counted again among cards to mail
    # (the feed once said "Mail 1 card" for it while Today had no card batch).
    assert "Write a thank-you note to Anna Smith for Bike" in titles
    assert not any(t.startswith("Mail ") for t in titles)
    assert "Lunch with Anna Smith" in titles
    assert "Ask how the bike rides" in titles
    assert "Long after" not in titles
    assert {t for t in titles if t.startswith("First response due: Squeaky brakes")}
    # Nothing of the colleague's.
    assert not {t for t in titles if "Colleague" in t or "Carl" in t}

    birthday = next(e for e in found.values() if e["summary"].startswith("Birthday: Anna"))
    assert birthday["start"] == dt.date(2026, 11, 23)  # an all-day event: VALUE=DATE
    assert birthday["end"] == dt.date(2026, 11, 24)
    deadline = next(e for e in found.values() if e["summary"].startswith("First response due"))
    assert isinstance(deadline["start"], dt.datetime)
    assert deadline["start"].utcoffset() == dt.timedelta(0)  # timed events in UTC
    assert deadline["end"] - deadline["start"] == dt.timedelta(minutes=15)
    for event in found.values():
        assert event["stamp"] == now


def test_feed_headers(owner, now):
    data = ical.feed(owner, now)
    cal = Calendar.from_ical(data)
    assert str(cal["X-WR-CALNAME"]) == "ExtraMile: Olivia"
    assert str(cal["VERSION"]) == "2.0"
    text = data.decode()
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in text
    assert "X-PUBLISHED-TTL:PT1H\r\n" in text
    assert "X-WR-TIMEZONE:America/New_York\r\n" in text


def test_uids_are_stable_across_fetches(owner, agenda, now):
    first = events(ical.feed(owner, now))
    second = events(ical.feed(owner, now + dt.timedelta(hours=2)))
    assert set(first) == set(second)
    assert len(first) == len(ical.feed(owner, now).decode().split("BEGIN:VEVENT")) - 1
    assert all(uid.endswith("@localhost") for uid in first)


def test_commas_semicolons_and_line_breaks_are_escaped(owner, now):
    make_customer(owner, 'Bob "Bobby"', "Smith, Jr.; Esq.", birth_month=11, birth_day=25)
    Promise.objects.create(
        customer=make_customer(owner, "Cy", "Lee"),
        description="Line one\nLine two; three, four\\five",
        due_on=dt.date(2026, 11, 26),
    )
    data = ical.feed(owner, now)
    titles = summaries(data)
    assert 'Birthday: Bob "Bobby" Smith, Jr.; Esq.' in titles
    assert "We promised: Line one\nLine two; three, four\\five (Cy Lee)" in titles
    text = data.decode()
    assert "Smith\\, Jr.\\; Esq." in text
    assert "Line one\\nLine two\\; three\\, four\\\\five" in text.replace("\r\n ", "")


def test_29_february_birthday_shows_on_28_february_in_a_common_year(owner, company):
    make_customer(owner, "Leap", "Day", birth_month=2, birth_day=29)
    now = dt.datetime(2027, 2, 20, 15, 0, tzinfo=dt.UTC)
    found = events(ical.feed(owner, now))
    (leap,) = [e for e in found.values() if "Leap" in e["summary"]]
    assert leap["start"] == dt.date(2027, 2, 28)


def test_a_managers_feed_is_their_own_agenda_not_the_teams(manager, agenda, now):
    assert summaries(ical.feed(manager, now)) == set()


# --- Links and the URL -------------------------------------------------------------------------


def test_link_is_stored_hashed_and_shown_once(client, owner):
    assert client.login(username=owner.username, password=PASSWORD)
    response = client.post(reverse("calendar-settings"), {"do": "new"})
    page = response.content.decode()
    feed = CalendarFeed.objects.get()
    (secret,) = set(re.findall(r"/calendar/([\w-]+)\.ics", page))
    assert feed.key_hash == hash_secret(secret) and secret not in feed.key_hash
    assert f"webcal://testserver/calendar/{secret}.ics" in page
    again = client.get(reverse("calendar-settings")).content.decode()
    assert secret not in again and feed.prefix in again
    assert reverse("calendar-settings") in client.get(reverse("settings")).content.decode()


def test_feed_url_needs_no_login_and_sets_no_cookie(client, owner, company):
    today = owner.local_date(timezone.now())
    make_customer(owner, "Today", "Birthday", birth_month=today.month, birth_day=today.day)
    _, secret = links.issue(owner, timezone.now())
    response = client.get(f"/calendar/{secret}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert not response.cookies
    assert "Birthday: Today Birthday" in summaries(response.content)
    assert client.head(f"/calendar/{secret}.ics").status_code == 200
    assert client.post(f"/calendar/{secret}.ics").status_code == 405
    assert CalendarFeed.objects.get().last_used_at is not None


def test_revoked_regenerated_unknown_and_inactive_are_404(client, owner, company):
    now = timezone.now()
    _, old = links.issue(owner, now)
    _, new = links.issue(owner, now)  # a new link stops the old one
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200
    assert client.get("/calendar/not-a-secret.ics").status_code == 404
    assert client.get(f"/calendar/{new}x.ics").status_code == 404
    owner.is_active = False
    owner.save()
    assert client.get(f"/calendar/{new}.ics").status_code == 404
    owner.is_active = True
    owner.save()
    assert links.revoke(owner, now)
    assert client.get(f"/calendar/{new}.ics").status_code == 404
    assert not links.revoke(owner, now)


def test_turning_the_link_off_from_the_page(client, owner):
    assert client.login(username=owner.username, password=PASSWORD)
    client.post(reverse("calendar-settings"), {"do": "new"})
    response = client.post(reverse("calendar-settings"), {"do": "revoke"}, follow=True)
    assert "turned off" in response.content.decode()
    assert links.live(owner) is None
    assert "Make my calendar link" in response.content.decode()


def test_one_users_link_never_shows_another_users_agenda(client, owner, colleague, company):
    today = owner.local_date(timezone.now())
    make_customer(owner, "Mine", "Only", birth_month=today.month, birth_day=today.day)
    make_customer(colleague, "Theirs", "Only", birth_month=today.month, birth_day=today.day)
    _, mine = links.issue(owner, timezone.now())
    _, theirs = links.issue(colleague, timezone.now())
    assert summaries(client.get(f"/calendar/{mine}.ics").content) == {"Birthday: Mine Only"}
    assert summaries(client.get(f"/calendar/{theirs}.ics").content) == {"Birthday: Theirs Only"}
