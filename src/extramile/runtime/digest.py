"""The daily digest: one e-mail per user each morning (their local time, a setting they can turn
off) with today's agenda, yesterday's wins, the team's story and their streak.

``build(user, day, now)`` composes it (plain text and HTML from templates); ``queue(user, day,
now)`` puts it in the outbox under the key ``digest:<user>:<day>``, so a digest is queued once
however often the schedule or the command runs, and the outbox sends it once.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse

from extramile.accounts.models import Company, User
from extramile.agenda import habits, services
from extramile.agenda.models import Action, ActionStatus
from extramile.agenda.streaks import streak
from extramile.culture.models import Story

# How many of today's items the digest lists by name (the rest are counted).
TOP = 10
WINS = 5


@dataclass
class Digest:
    user: User
    day: dt.date
    subject: str
    text: str
    html: str
    context: dict[str, Any] = field(default_factory=dict)


def link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def kind_counts(actions: QuerySet[Action] | list[Action]) -> list[tuple[str, int]]:
    """("Reply owed", 2), … in Today's order of first appearance."""
    labels = habits.labels()
    counts = Counter(labels.get(action.kind, action.kind) for action in actions)
    return counts.most_common()


def team_story(user: User, day: dt.date) -> Any:
    """The manager's story of the week, else the newest team story (private ones never)."""
    from extramile.culture import services as culture
    from extramile.culture.models import Visibility

    story = culture.story_of_the_week(day)
    if story is None:
        story = (
            Story.objects.visible_to(user)
            .filter(visibility=Visibility.TEAM, date__lte=day)
            .select_related("author")
            .order_by("-date", "-id")
            .first()
        )
    return story


def build(user: User, day: dt.date, now: dt.datetime) -> Digest:
    """The digest of ``day`` for ``user``."""
    agenda = list(services.today(user, day, now))
    overdue = sum(1 for action in agenda if action.due_on < day)
    yesterday = day - dt.timedelta(days=1)
    zone = user.zone()
    start = dt.datetime.combine(yesterday, dt.time(0), tzinfo=zone)
    done = list(
        Action.objects.filter(
            owner=user,
            status=ActionStatus.DONE,
            completed_at__gte=start,
            completed_at__lt=start + dt.timedelta(days=1),
        )
        .select_related("customer")
        .order_by("priority", "completed_at")
    )
    company = Company.get()
    days = streak(user, day)
    context = {
        "user": user,
        "name": user.first_name or user.get_username(),
        "day": day,
        "company": company,
        "agenda": agenda[:TOP],
        "more": max(0, len(agenda) - TOP),
        "total": len(agenda),
        "overdue": overdue,
        "kinds": kind_counts(agenda),
        "wins": done[:WINS],
        "wins_total": len(done),
        "win_kinds": kind_counts(done),
        "story": team_story(user, day),
        "streak": days,
        "today_url": link(reverse("today")),
        "settings_url": link(reverse("settings")),
        "site_url": settings.SITE_URL,
    }
    subject = f"Today, {day:%a %d %b}: {len(agenda)} to do" + (
        f", {overdue} overdue" if overdue else ""
    )
    text = render_to_string("agenda/digest.txt", context).strip() + "\n"
    html = render_to_string("agenda/digest.html", context)
    return Digest(user=user, day=day, subject=subject, text=text, html=html, context=context)


def key(user: User, day: dt.date) -> str:
    return f"digest:{user.pk}:{day.isoformat()}"


def queue(user: User, day: dt.date, now: dt.datetime) -> Any:
    """Put the user's digest of ``day`` in the outbox (once: the key is unique); None when the
    user has no e-mail address or has turned the digest off."""
    from extramile.outbox.models import Kind
    from extramile.outbox.services import enqueue

    if not user.email or not user.digest_enabled or not user.is_active:
        return None
    digest = build(user, day, now)
    return enqueue(
        key=key(user, day),
        kind=Kind.DIGEST,
        to_address=user.email,
        subject=digest.subject,
        text=digest.text,
        html=digest.html,
        now=now,
        user=user,
    )


def due_users(now: dt.datetime, window: dt.timedelta) -> list[tuple[User, dt.date]]:
    """Users whose digest time has come at ``now`` (within ``window`` after it, so a worker that
    was down at 07:00 still sends at 08:00 but not in the evening), with their local day."""
    due = []
    users = User.objects.filter(is_active=True, digest_enabled=True).exclude(email="")
    company = Company.get()
    for user in users:
        local = now.astimezone(user.zone(company))
        at = dt.datetime.combine(local.date(), user.digest_at, tzinfo=local.tzinfo)
        if at <= local < at + window:
            due.append((user, local.date()))
    return due
