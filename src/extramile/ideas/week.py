"""The week: the intention a rep sets on their first working day and reviews at the week's end,
and the week's surprise for someone who does not expect it.

Days: a week starts on the Monday of the user's local week. Its first working day is the first day
of the week that ``business_hours`` calls a working day (Tuesday after a Monday holiday); its last
working day the last such day. Working days and holidays are the company's (the same in every zone),
so one ``BusinessHours`` serves every user.

The surprise is chosen once a week per user by ``prepare_surprises`` (an engine preparer: it writes
``Surprise`` rows, so a re-plan never chooses again). The rules are in ``docs/ideas.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber

from extramile import business_hours
from extramile.accounts.models import Company, User
from extramile.agenda import actions
from extramile.agenda.models import Action
from extramile.agenda.registry import completer, preparer
from extramile.book import dates
from extramile.book.expectations import held_back
from extramile.book.models import (
    Customer,
    Fact,
    FactCategory,
    KeyDate,
    Status,
    Tier,
    display_name,
)
from extramile.ideas.habits import INTENTION, INTENTION_REVIEW, SURPRISE
from extramile.ideas.models import (
    Idea,
    IdeaUse,
    IdeaVote,
    Surprise,
    SurpriseReason,
    WeeklyIntention,
)
from extramile.ideas.services import OWN_USE_PENALTY, record_use, suggest

INTENTION_MAX = 500
# A life event counts as recent for this many days after it was learned.
LIFE_EVENT_DAYS = 30
# An anniversary counts as coming when it falls within this many days.
ANNIVERSARY_DAYS = 14
# A loyal customer: tier A, or a customer for at least this many years.
LOYAL_YEARS = 5
# Nobody is proposed again within this many weeks (so never two weeks running).
ROTATION_WEEKS = 4
# Ideas that suit each reason, tried first.
REASON_TAGS: dict[str, list[str]] = {
    SurpriseReason.LIFE_EVENT: ["life event", "congratulations", "family"],
    SurpriseReason.ANNIVERSARY: ["anniversary", "birthday"],
    SurpriseReason.LOYAL: ["loyal", "thank you"],
    SurpriseReason.COWORKER: ["team", "co-worker"],
}
NAME_FIELDS = ("first_name", "last_name", "company_name")


# --- Days -----------------------------------------------------------------------------------------


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def working_days(hours: business_hours.BusinessHours, start: dt.date) -> list[dt.date]:
    """The working days of the week starting on ``start`` (possibly none: a holiday week)."""
    week = (start + dt.timedelta(days=n) for n in range(7))
    return [day for day in week if hours.is_working_day(day)]


def intention_due(hours: business_hours.BusinessHours, day: dt.date) -> dt.date | None:
    """The day the week's intention is due when planning ``day``: the week's first working day,
    from that day to the week's last working day; None on other days (and in a week without a
    working day)."""
    days = working_days(hours, week_start(day))
    return days[0] if days and days[0] <= day <= days[-1] else None


def company_hours(company: Company | None = None) -> business_hours.BusinessHours:
    return business_hours.for_user(None, company or Company.get())


def intention_key(user_id: int, start: dt.date) -> str:
    return INTENTION.key.build(user_id, start)


def review_key(user_id: int, start: dt.date) -> str:
    return INTENTION_REVIEW.build(user_id, start)


def key_week(key: str) -> dt.date:
    """The week start in an action key such as ``surprise:<user>:<yyyy-mm-dd>``."""
    return dt.date.fromisoformat(key.rsplit(":", 1)[1])


def _close_action(key: str, now: dt.datetime, outcome: str) -> None:
    actions.close(key, now, outcome=outcome)


# --- The intention --------------------------------------------------------------------------------


def clean_intention(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise ValidationError("Write your intention for the week: one sentence is enough.")
    if len(text) > INTENTION_MAX:
        raise ValidationError(
            f"Keep the intention to {INTENTION_MAX} characters at most (this one has {len(text)})."
        )
    return text


def _store_intention(user_id: int, start: dt.date, text: str, now: dt.datetime) -> WeeklyIntention:
    intention, created = WeeklyIntention.objects.get_or_create(
        user_id=user_id,
        week_start=start,
        defaults={"text": text, "created_at": now, "updated_at": now},
    )
    if not created and intention.text != text:
        intention.text, intention.updated_at = text, now
        intention.save(update_fields=["text", "updated_at"])
    return intention


def save_intention(
    user: User, text: str, now: dt.datetime, start: dt.date | None = None
) -> WeeklyIntention:
    """Set (or reword) the intention for the week starting ``start`` (default: the user's week),
    and close the week's intention action on Today."""
    text = clean_intention(text)
    start = start or week_start(user.local_date(now))
    if start.weekday() != 0:
        raise ValidationError("A week starts on a Monday.")
    with transaction.atomic():
        intention = _store_intention(user.pk, start, text, now)
        _close_action(intention_key(user.pk, start), now, text)
    return intention


def review_intention(user: User, start: dt.date, kept: bool, now: dt.datetime) -> WeeklyIntention:
    """Record whether the week's intention was kept, and close its review on Today."""
    intention = WeeklyIntention.objects.filter(user=user, week_start=start).first()
    if intention is None:
        raise ValidationError(f"There is no intention for the week of {start:%d %b} to review.")
    if start > week_start(user.local_date(now)):
        raise ValidationError("That week has not started yet.")
    with transaction.atomic():
        WeeklyIntention.objects.filter(pk=intention.pk).update(kept=kept, reviewed_at=now)
        _close_action(review_key(user.pk, start), now, "Kept it" if kept else "Not kept")
    intention.refresh_from_db()
    return intention


@completer(INTENTION.kind)
def intention_done(action: Action, now: dt.datetime, outcome: str) -> None:
    """Done on the intention row with a text: that text is the week's intention."""
    if INTENTION.key.owns(action.key) and outcome:
        _store_intention(action.owner_id, key_week(action.key), clean_intention(outcome), now)


# --- The surprise ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    reason: str
    text: str
    customer_id: int | None = None
    coworker_id: int | None = None


def _recent(start: dt.date) -> QuerySet[Surprise, Any]:
    """Customers proposed in the ``ROTATION_WEEKS`` weeks before ``start`` (a subquery)."""
    return Surprise.objects.filter(
        week_start__gte=start - dt.timedelta(weeks=ROTATION_WEEKS),
        week_start__lt=start,
        customer__isnull=False,
    ).values("customer_id")


def _candidates(owner_ids: list[int], day: dt.date, start: dt.date) -> QuerySet[Customer]:
    """Customers of these owners' own books who may be proposed: current customers, no overdue
    promise (expectations first), not proposed in the last ``ROTATION_WEEKS`` weeks."""
    return (
        Customer.objects.filter(owner_id__in=owner_ids, status=Status.CUSTOMER)
        .exclude(pk__in=held_back(day))
        .exclude(pk__in=_recent(start))
    )


def _of_candidates(
    rows: QuerySet[Any, Any], owner_ids: list[int], day: dt.date
) -> QuerySet[Any, Any]:
    """``rows`` (facts, key dates) of the customers ``_candidates`` allows, tested through the
    join and the two small exclusion lists: the rows' own index leads, never a list of the books."""
    return (
        rows.filter(customer__owner_id__in=owner_ids, customer__status=Status.CUSTOMER)
        .exclude(customer_id__in=held_back(day))
        .exclude(customer_id__in=_recent(week_start(day)))
    )


def _life_events(owner_ids: list[int], day: dt.date) -> dict[int, Proposal]:
    """The most recently learned life event per owner."""
    rows = (
        _of_candidates(Fact.objects.all(), owner_ids, day)
        .filter(
            category=FactCategory.LIFE_EVENT,
            learned_on__gte=day - dt.timedelta(days=LIFE_EVENT_DAYS),
            learned_on__lte=day,
        )
        .order_by("-learned_on", "-id")
        .values_list("customer__owner_id", "customer_id", "text", "learned_on")
    )
    picks: dict[int, Proposal] = {}
    for owner_id, cid, text, learned_on in rows:
        if owner_id not in picks:
            text = " ".join(text.split())
            text = text if len(text) <= 120 else text[:119] + "…"
            picks[owner_id] = Proposal(
                SurpriseReason.LIFE_EVENT,
                f"A recent life event: “{text}” (learned {learned_on:%a %d %b}).",
                customer_id=cid,
            )
    return picks


def _month_day_rule(coming: Iterable[tuple[int, int]], month: str, day: str) -> Q:
    rule = Q(pk__in=[])
    for m, d in coming:
        rule |= Q(**{month: m, day: d})
    return rule


def _since_dates(pairs: Iterable[tuple[int, int]], first_year: int, day: dt.date) -> list[dt.date]:
    """The start dates at least a year before ``day`` that fall on one of ``pairs``: a customer
    since one of these has an anniversary on that month-day (read through the date's index)."""
    found = []
    for year in range(first_year, day.year):
        for month, mday in pairs:
            try:
                since = dt.date(year, month, mday)
            except ValueError:  # 29 February of a common year
                continue
            if since <= day - dt.timedelta(days=365):
                found.append(since)
    return found


def _anniversaries(
    people: QuerySet[Customer], day: dt.date, owner_ids: list[int]
) -> dict[int, Proposal]:
    """The soonest birthday, key date or customer-since anniversary per owner (on a tie, the
    lowest customer id). Day by day from ``day``: each day's month-days are read through their
    indexes (birthday, key date, start date), and owners with a pick drop out, so the work is the
    coming days' celebrations of the waiting owners, not their books."""
    owners = set(owner_ids)
    first_since = people.filter(customer_since__isnull=False).order_by("customer_since")
    first = first_since.values_list("customer_since", flat=True).first()
    picks: dict[int, Proposal] = {}
    for offset in range(ANNIVERSARY_DAYS + 1):
        if not owners - picks.keys():
            break
        when = day + dt.timedelta(days=offset)
        pairs = dates.month_days_on(when)
        waiting = people.filter(owner_id__in=sorted(owners - picks.keys()))
        found: list[tuple[int, int, str]] = []  # customer, owner, what
        found.extend(
            (cid, owner_id, "Their birthday")
            for cid, owner_id in waiting.filter(
                _month_day_rule(pairs, "birth_month", "birth_day")
            ).values_list("id", "owner_id")
        )
        for cid, owner_id, kind, label in (
            _of_candidates(KeyDate.objects.all(), sorted(owners - picks.keys()), day)
            .filter(_month_day_rule(pairs, "month", "day"))
            .values_list("customer_id", "customer__owner_id", "kind", "label")
        ):
            what = KeyDate(kind=kind, label=label).title
            found.append((cid, owner_id, f"Their {what[0].lower()}{what[1:]}"))
        starts = _since_dates(pairs, first.year, day) if first is not None else []
        if starts:
            for cid, owner_id, since in waiting.filter(customer_since__in=starts).values_list(
                "id", "owner_id", "customer_since"
            ):
                if since is None:  # never: the filter names dates (for the type checker)
                    continue
                years = when.year - since.year
                found.append((cid, owner_id, f"{years} year{'s' if years != 1 else ''} a customer"))
        on = "today" if when == day else f"on {when:%a %d %b}"
        for cid, owner_id, what in sorted(found):
            if owner_id not in picks:
                picks[owner_id] = Proposal(
                    SurpriseReason.ANNIVERSARY, f"{what}: {on}.", customer_id=cid
                )
    return picks


def _loyal(
    people: QuerySet[Customer], day: dt.date, now: dt.datetime, company: Company
) -> dict[int, Proposal]:
    """Per owner, the loyal customer (tier A or long-standing) longest without a contact beyond
    their cadence (one ranked query)."""
    long_ago = day - dt.timedelta(days=round(LOYAL_YEARS * 365.25))
    quiet = Q(last_contact_at__isnull=True)
    for tier in Tier.values:
        quiet |= Q(
            tier=tier, last_contact_at__lt=now - dt.timedelta(days=company.cadence_days(tier))
        )
    rows = (
        people.filter(Q(tier=Tier.A) | Q(customer_since__lte=long_ago))
        .filter(quiet)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("owner_id")],
                order_by=[F("last_contact_at").asc(nulls_first=True), F("id").asc()],
            )
        )
        .filter(rank=1)
        .order_by()
        .values_list("owner_id", "id", "tier", "customer_since", "last_contact_at")
    )
    picks: dict[int, Proposal] = {}
    for owner_id, cid, tier, since, last in rows:
        why = [f"tier {tier}"] if tier == Tier.A else []
        if since is not None and since <= long_ago:
            why.append(f"a customer since {since.year}")
        heard = f"last contact {last:%d %b %Y}" if last else "no contact on record"
        picks[owner_id] = Proposal(
            SurpriseReason.LOYAL,
            f"A loyal customer ({', '.join(why)}) not heard from lately: {heard}.",
            customer_id=cid,
        )
    return picks


def _coworkers(users: list[tuple[int, int | None]], start: dt.date) -> dict[int, Proposal]:
    """A team member per user, rotating week by week, never one proposed to them recently."""
    teams = {team for _, team in users if team is not None}
    members: dict[int, list[tuple[int, str]]] = {}
    for member, member_team, first, last, username in (
        User.objects.filter(team_id__in=teams, is_active=True)
        .order_by("pk")
        .values_list("pk", "team_id", "first_name", "last_name", "username")
    ):
        if member_team is not None:
            name = display_name(first, last, "") or username
            members.setdefault(member_team, []).append((member, name))
    recent: set[tuple[int, int | None]] = set(
        Surprise.objects.filter(
            user_id__in=[pk for pk, _ in users],
            week_start__gte=start - dt.timedelta(weeks=ROTATION_WEEKS),
            week_start__lt=start,
            coworker__isnull=False,
        ).values_list("user_id", "coworker_id")
    )
    week_number = start.toordinal() // 7
    picks: dict[int, Proposal] = {}
    for pk, team in users:
        choices = [m for m in members.get(team or 0, []) if m[0] != pk and (pk, m[0]) not in recent]
        if choices:
            coworker_id, name = choices[(week_number + pk) % len(choices)]
            picks[pk] = Proposal(
                SurpriseReason.COWORKER,
                f"A co-worker: {name} does not expect it, which is the point.",
                coworker_id=coworker_id,
            )
    return picks


def choose(
    users: list[tuple[int, int | None]], day: dt.date, now: dt.datetime, company: Company
) -> dict[int, Proposal]:
    """The week's proposal for each (user id, team id): a recent life event, else a coming
    anniversary, else a loyal customer not contacted lately, else a co-worker."""
    start = week_start(day)
    picks: dict[int, Proposal] = {}
    steps = (
        lambda people, waiting: _life_events(waiting, day),
        lambda people, waiting: _anniversaries(people, day, waiting),
        lambda people, waiting: _loyal(people, day, now, company),
    )
    for step in steps:
        waiting = [pk for pk, _ in users if pk not in picks]
        if not waiting:
            break
        picks.update(step(_candidates(waiting, day, start), waiting))
    waiting_users = [(pk, team) for pk, team in users if pk not in picks]
    if waiting_users:
        picks.update(_coworkers(waiting_users, start))
    return picks


def idea_for(user: User, now: dt.datetime, reason: str) -> Idea | None:
    """The best idea for this user and reason: one tagged for the reason, else any."""
    ideas = suggest(user, now, tags=REASON_TAGS.get(reason), limit=1) or suggest(user, now, limit=1)
    return ideas[0] if ideas else None


def ideas_for(wanted: dict[int, str], now: dt.datetime) -> dict[int, int | None]:
    """``idea_for`` for many users at once (user id → reason; returns user id → idea id): the
    bank's counts in one query and the users' own uses in another, instead of two ranked queries
    per user. Same order as ``suggest``: votes − OWN_USE_PENALTY × own uses, then the idea used
    least by everyone, then the newest."""
    votes = dict(IdeaVote.objects.values_list("idea_id").annotate(n=Count("id")).order_by())
    uses = dict(IdeaUse.objects.values_list("idea_id").annotate(n=Count("id")).order_by())
    ideas = [
        (pk, tags, created_at, votes.get(pk, 0), uses.get(pk, 0))
        for pk, tags, created_at in Idea.objects.filter(
            active=True, created_at__lte=now
        ).values_list("pk", "tags", "created_at")
    ]
    own: dict[tuple[int, int], int] = {
        (user_id, idea_id): n
        for user_id, idea_id, n in IdeaUse.objects.filter(user_id__in=list(wanted))
        .values_list("user_id", "idea_id")
        .annotate(n=Count("id"))
        .order_by()
    }
    tag_sets = {pk: {tag for tag in tags.split(", ") if tag} for pk, tags, *_ in ideas}
    chosen: dict[int, int | None] = {}
    for user_id, reason in wanted.items():

        def rank(row: tuple[int, str, dt.datetime, int, int], user_id: int = user_id) -> Any:
            pk, _, created_at, votes, uses = row
            score = votes - OWN_USE_PENALTY * own.get((user_id, pk), 0)
            return (-score, uses, -created_at.timestamp(), -pk)

        tags = {tag.strip().lower() for tag in REASON_TAGS.get(reason, []) if tag.strip()}
        fitting = [row for row in ideas if tags & tag_sets[row[0]]] if tags else []
        best = min(fitting or ideas, key=rank, default=None)
        chosen[user_id] = best[0] if best is not None else None
    return chosen


@preparer("surprises")
def prepare_surprises(day: dt.date, now: dt.datetime, owners: QuerySet[User]) -> int:
    """From the first working day of the week on, choose the week's surprise for every owner who
    has none yet. Returns how many were chosen."""
    company = Company.get()
    start = week_start(day)
    days = working_days(company_hours(company), start)
    if not days or day < days[0]:
        return 0
    waiting = owners.filter(is_active=True).exclude(
        pk__in=Surprise.objects.filter(week_start=start).values("user_id")
    )
    people = {user.pk: user for user in waiting}
    if not people:
        return 0
    picks = choose([(u.pk, u.team_id) for u in people.values()], day, now, company)
    ideas = ideas_for({pk: pick.reason for pk, pick in picks.items()}, now)
    rows = [
        Surprise(
            user_id=pk,
            week_start=start,
            proposed_on=day,
            customer_id=pick.customer_id,
            coworker_id=pick.coworker_id,
            reason=pick.reason,
            reason_text=pick.text[:300],
            idea_id=ideas[pk],
            created_at=now,
        )
        for pk, pick in sorted(picks.items())
    ]
    before = Surprise.objects.filter(week_start=start).count()
    Surprise.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return Surprise.objects.filter(week_start=start).count() - before


def surprise_of(action: Action) -> Surprise | None:
    if not SURPRISE.key.owns(action.key):
        return None
    return (
        Surprise.objects.filter(user_id=action.owner_id, week_start=key_week(action.key))
        .select_related("customer", "coworker", "idea")
        .first()
    )


@completer(SURPRISE.kind)
def surprise_done(action: Action, now: dt.datetime, outcome: str) -> None:
    """Done on the surprise's row: what was done goes into the week's history."""
    if SURPRISE.key.owns(action.key):
        Surprise.objects.filter(user_id=action.owner_id, week_start=key_week(action.key)).update(
            what_was_done=outcome, done_at=now
        )


def finish_surprise(
    action: Action,
    user: User,
    now: dt.datetime,
    what: str,
    value_answer: str,
    used_idea: bool = False,
) -> Action:
    """The rep did the surprise: record what they did, the value answer (required: see
    ``agenda.services.complete``) and, when they used the suggested idea, one use of it."""
    from extramile.agenda.services import complete

    what = what.strip()
    if not what:
        raise ValidationError("Say what you did: a line is enough.")
    surprise = surprise_of(action)
    with transaction.atomic():
        action = complete(action, now, outcome=what, value_answer=value_answer)
        idea = surprise.idea if surprise is not None else None
        if used_idea and surprise is not None and idea is not None and idea.active:
            record_use(idea, user, now, customer=surprise.customer, note=what[:300])
    return action
