"""The short team block on a manager's (and an admin's) Today: who needs a hand right now.

Three questions, each one grouped query over the reps in scope (``accounts.scoping``):

* **behind on replies**: reps with replies owed past their deadline at ``now``;
* **service breaches**: reps with open requests whose clock is past its deadline at ``now``;
* **no story this week**: active reps with no story dated this week (Monday to ``day``), private
  ones included — the goal is one story a week per person, shared or not.

Only reps who are behind are named, at most ``SHOWN`` per question (the rest as "and n more"), so
an admin of a thousand reps still gets a short block; the Team page has the whole table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count

from extramile.accounts.models import Role, User

SHOWN = 5


@dataclass(frozen=True)
class Behind:
    """One question's answer: the reps behind (name, how many), most behind first."""

    reps: list[tuple[User, int]] = field(default_factory=list)
    more: int = 0

    @property
    def total(self) -> int:
        return len(self.reps) + self.more


@dataclass(frozen=True)
class TeamBlock:
    reps: int
    replies: Behind
    breaches: Behind
    no_story: Behind

    @property
    def all_clear(self) -> bool:
        return not (self.replies.total or self.breaches.total or self.no_story.total)


def _behind(counts: dict[int, int], users: dict[int, User]) -> Behind:
    ranked = sorted(
        ((users[pk], n) for pk, n in counts.items() if pk in users and n),
        key=lambda row: (-row[1], str(row[0])),
    )
    return Behind(ranked[:SHOWN], max(0, len(ranked) - SHOWN))


def team_block(user: User, now: dt.datetime, day: dt.date) -> TeamBlock | None:
    """The block for a manager or an admin; None for a rep (their Today is their own work)."""
    if not user.sees_team:
        return None
    from extramile.culture.models import Story
    from extramile.inbox.models import InboundMessage
    from extramile.service.models import ServiceRequest

    reps = {u.pk: u for u in User.objects.visible_to(user).filter(role=Role.REP)}
    ids = list(reps)
    late_replies = dict(
        InboundMessage.objects.filter(
            owner_id__in=ids, replied_at__isnull=True, reply_due_at__lt=now
        )
        .values_list("owner_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    breaches = dict(
        ServiceRequest.objects.filter(assignee_id__in=ids)
        .breaching(now)
        .values_list("assignee_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    monday = day - dt.timedelta(days=day.weekday())
    wrote = set(
        Story.objects.filter(author_id__in=ids, date__gte=monday, date__lte=day).values_list(
            "author_id", flat=True
        )
    )
    return TeamBlock(
        reps=len(ids),
        replies=_behind(late_replies, reps),
        breaches=_behind(breaches, reps),
        no_story=_behind({pk: 1 for pk in ids if pk not in wrote}, reps),
    )
