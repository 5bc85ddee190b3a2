"""The iCalendar (RFC 5545) document of a user's feed, built with the ``icalendar`` library.

All-day items are ``VALUE=DATE`` events (transparent: they do not block the day as busy); timed
ones (deadlines) are in UTC and end at the deadline. Every event has a UID made from the record
it shows and the site's host, so a subscribed calendar updates an event instead of adding a copy.
The library escapes commas, semicolons, backslashes and line breaks and folds long lines.
``REFRESH-INTERVAL`` (RFC 7986) and ``X-PUBLISHED-TTL`` (Outlook, Apple) ask for a refresh every
hour; Google Calendar refreshes on its own schedule whatever the hint says.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from icalendar import Calendar, Event, vDuration, vText

from extramile.accounts.models import User
from extramile.feeds.agenda import Item, items

PRODID = "-//ExtraMile//Agenda feed//EN"
REFRESH = dt.timedelta(hours=1)


def uid_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "extramile.invalid"


def event(item: Item, now: dt.datetime, domain: str) -> Event:
    ev = Event()
    ev.add("uid", f"{item.uid}@{domain}")
    ev.add("dtstamp", now.astimezone(dt.UTC))
    if item.at is not None:
        start = item.at.astimezone(dt.UTC)
        ev.add("dtstart", start)
        ev.add("dtend", start + dt.timedelta(minutes=item.minutes))
    else:
        assert item.day is not None
        ev.add("dtstart", item.day)
        ev.add("dtend", item.day + dt.timedelta(days=1))
        ev.add("transp", "TRANSPARENT")
    ev.add("summary", item.summary)
    if item.description:
        ev.add("description", item.description)
    if item.path:
        ev.add("url", settings.SITE_URL + item.path)
    if item.category:
        ev.add("categories", [item.category])
    return ev


def feed(user: User, now: dt.datetime) -> bytes:
    """The user's feed as iCalendar bytes (UTF-8, CRLF line ends)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", vText(f"ExtraMile: {user.get_full_name() or user.username}"))
    cal.add("x-wr-caldesc", vText("Your ExtraMile agenda for the next 30 days"))
    cal.add("x-wr-timezone", vText(user.zone().key))
    cal.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    domain = uid_domain()
    for item in items(user, now):
        cal.add_component(event(item, now, domain))
    return cal.to_ical()
