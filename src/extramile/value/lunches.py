"""Breakfast or lunch with the best customers.

Once per period (``company.lunch_every_days``, default 14) each rep gets one suggestion: their
highest-value customer (``ValueScore``) who is a customer, has a score above 0, is not marked
do-not-call (the invitation is a personal call), has no unmet promise at all (met first, extras
after) and has not been invited in the last ``RECENT`` days. Periods are counted from a fixed
Monday (``EPOCH``), so every plan of the same period finds the same boundary; the unique
(owner, period_start) index makes a re-plan add nothing.

An invitation then moves suggested → invited (breakfast or lunch; the answer to "how will this
create more value for this customer?") → accepted (the date) → held (notes) or declined, and any
open one can be cancelled. A meal held is a contact (``book.services.record_contact``, channel
"meal"). Held needs an invitation first: a meal nobody was invited to is a visit, logged as such.
A suggestion not taken up within its period lapses (cancelled); lapsed and cancelled
suggestions do not count as invitations, so the customer may be suggested again.

Each open invitation is one Today item (kind "lunch", key ``lunch:<invitation id>``), kept in
step by every function here (``sync_action``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, QuerySet
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber
from django.utils.formats import date_format

from extramile.accounts.models import Company, User
from extramile.agenda import actions
from extramile.agenda.models import Action, ActionStatus
from extramile.agenda.registry import ActionSpec
from extramile.agenda.services import VALUE_QUESTION
from extramile.book.expectations import hold_back_reason
from extramile.book.models import Contact, ContactChannel, Promise, Status, display_name
from extramile.book.services import record_contact
from extramile.value.habits import LUNCH
from extramile.value.models import (
    OPEN_INVITATIONS,
    Invitation,
    InvitationStatus,
    MealKind,
    ValueScore,
)

EPOCH = dt.date(2024, 1, 1)  # a Monday: periods of N days are counted from here
RECENT = dt.timedelta(days=183)  # "not invited in the last six months"
INVITED = [
    InvitationStatus.INVITED,
    InvitationStatus.ACCEPTED,
    InvitationStatus.HELD,
    InvitationStatus.DECLINED,
]
PENDING = [ActionStatus.OPEN, ActionStatus.SNOOZED]
# When a meal recorded for a past day took place, in the owner's zone.
MEAL_TIME = {MealKind.BREAKFAST: dt.time(8, 0), MealKind.LUNCH: dt.time(12, 30)}
LAPSED = "Not taken up within its period."
SHORTLIST = 50


def period_start(day: dt.date, every_days: int) -> dt.date:
    """The first day of the period ``day`` falls in (stable for every day of the period)."""
    every = max(every_days, 1)
    return EPOCH + dt.timedelta(days=(day - EPOCH).days // every * every)


def action_key(invitation_id: int) -> str:
    return LUNCH.key.build(invitation_id)


def eligible(day: dt.date) -> QuerySet[ValueScore]:
    """Scores of the customers who may be suggested on ``day`` (the rules in the docstring)."""
    invited = Invitation.objects.filter(
        customer_id=OuterRef("customer_id"), status__in=INVITED, suggested_on__gt=day - RECENT
    )
    unmet = Promise.objects.filter(customer_id=OuterRef("customer_id"), met_at__isnull=True)
    return (
        ValueScore.objects.filter(
            customer__status=Status.CUSTOMER, customer__do_not_call=False, score__gt=0
        )
        .exclude(Exists(invited))
        .exclude(Exists(unmet))
    )


def suggest(day: dt.date, now: dt.datetime, owners: QuerySet[User]) -> int:
    """Give each of ``owners`` without a suggestion this period their best eligible customer;
    lapse the suggestions of earlier periods nobody acted on. Returns how many were created."""
    start = period_start(day, Company.get().lunch_every_days)
    Invitation.objects.filter(
        owner__in=owners, status=InvitationStatus.SUGGESTED, period_start__lt=start
    ).update(status=InvitationStatus.CANCELLED, notes=LAPSED, updated_at=now)
    have = Invitation.objects.filter(period_start=start).values("owner_id")
    owner_ids = list(owners.exclude(pk__in=have).values_list("pk", flat=True))
    if not owner_ids:
        return 0
    # Look among each book's top ``SHORTLIST`` first (index on rank_in_book); only the books
    # where none of those may be asked are searched whole.
    picks = best_eligible(day, owner_ids, eligible(day).filter(rank_in_book__lte=SHORTLIST))
    rest = sorted(set(owner_ids) - {owner_id for _, owner_id, _, _ in picks})
    if rest:
        picks += best_eligible(day, rest, eligible(day))
    rows = [
        Invitation(
            customer_id=customer_id,
            owner_id=owner_id,
            period_start=start,
            suggested_on=day,
            score=score,
            rank_in_book=rank,
            created_at=now,
            updated_at=now,
        )
        for customer_id, owner_id, score, rank in picks
    ]
    Invitation.objects.bulk_create(rows, ignore_conflicts=True)
    return Invitation.objects.filter(period_start=start, owner_id__in=owner_ids).count()


def best_eligible(
    day: dt.date, owner_ids: list[int], scores: QuerySet[ValueScore]
) -> list[tuple[int, int, float, int]]:
    """(customer id, owner id, score, rank in book) of each owner's best among ``scores``."""
    return list(
        scores.filter(customer__owner_id__in=owner_ids)
        .annotate(
            pick=Window(
                RowNumber(),
                partition_by=[F("customer__owner_id")],
                order_by=[F("score").desc(), F("customer_id").asc()],
            )
        )
        .filter(pick=1)
        .values_list("customer_id", "customer__owner_id", "score", "rank_in_book")
    )


@dataclass(frozen=True)
class Item:
    """What a Today item says about an open invitation."""

    title: str
    detail: str
    due_on: dt.date
    expires_on: dt.date | None


def last_meals(customer_ids: list[int]) -> dict[int, dt.datetime]:
    rows = (
        Contact.objects.filter(customer_id__in=customer_ids, channel=ContactChannel.MEAL)
        .values("customer_id")
        .annotate(last=Max("at"))
        .order_by()
    )
    return {row["customer_id"]: row["last"] for row in rows}


def describe(
    invitation: Invitation,
    name: str,
    score: ValueScore | None,
    last_meal: dt.datetime | None,
    held_back: str,
    every_days: int,
) -> Item:
    """The Today item for an open invitation: what to do now, and why this customer."""
    why = []
    if score is not None:
        why.append(
            f"Value score {score.score:.0f}, #{score.rank_in_book} of {score.book_size} in the book"
        )
    why.append(
        f"last meal together {date_format(last_meal.date(), 'j M Y')}"
        if last_meal
        else "no meal together yet"
    )
    detail = "; ".join(why) + "."
    if held_back:
        detail = f"{held_back} {detail}"
    status = invitation.status
    if status == InvitationStatus.SUGGESTED:
        end = invitation.period_start + dt.timedelta(days=max(every_days, 1) - 1)
        return Item(f"Invite {name} to breakfast or lunch", detail, invitation.suggested_on, end)
    if status == InvitationStatus.INVITED:
        title = f"Waiting for {name}'s answer: {invitation.meal_name}"
        return Item(title, detail, invitation.suggested_on, None)
    meal_on = invitation.meal_on or invitation.suggested_on
    title = f"{invitation.meal_name.capitalize()} with {name} on {date_format(meal_on, 'D j M')}"
    return Item(title, detail, meal_on, None)


def items(day: dt.date, invitations: QuerySet[Invitation]) -> list[tuple[Invitation, Item]]:
    """Today's wording for open invitations, in a few queries (scores, meals, hold-backs)."""
    every = Company.get().lunch_every_days
    found = list(invitations.filter(status__in=OPEN_INVITATIONS).select_related("customer"))
    ids = [invitation.customer_id for invitation in found]
    scores = ValueScore.objects.in_bulk(ids)
    meals = last_meals(ids)
    overdue = set(
        Promise.objects.filter(customer_id__in=ids, met_at__isnull=True, due_on__lt=day)
        .values_list("customer_id", flat=True)
        .distinct()
    )
    result = []
    for invitation in found:
        customer = invitation.customer
        reason = hold_back_reason(customer, day) if customer.pk in overdue else ""
        name = display_name(customer.first_name, customer.last_name, customer.company_name)
        item = describe(
            invitation, name, scores.get(customer.pk), meals.get(customer.pk), reason, every
        )
        result.append((invitation, item))
    return result


def sync_action(invitation: Invitation, now: dt.datetime) -> Action:
    """Keep the invitation's Today item in step with it: open while the invitation is, done when
    held, skipped when declined or cancelled."""
    day = invitation.owner.local_date(now)
    found = items(day, Invitation.objects.filter(pk=invitation.pk))
    item = found[0][1] if found else None
    key = action_key(invitation.pk)
    action = Action.objects.filter(key=key).first()
    spec = ActionSpec(
        key=key,
        kind=LUNCH.kind,
        owner_id=invitation.owner_id,
        customer_id=invitation.customer_id,
        title=item.title if item else str(invitation),
        detail=item.detail if item else "",
        due_on=item.due_on if item else day,
        expires_on=item.expires_on if item else None,
        priority=LUNCH.priority,
    )
    if item is not None:
        snoozed = action is not None and action.status == ActionStatus.SNOOZED
        if snoozed:  # the rep's snooze keeps its day
            return actions.put(
                spec, now, refresh=("title", "detail", "expires_on"), completed_at=None
            )
        return actions.put(
            spec,
            now,
            refresh=("title", "detail", "due_on", "expires_on"),
            status=ActionStatus.OPEN,
            completed_at=None,
        )
    closed = (
        ActionStatus.DONE if invitation.status == InvitationStatus.HELD else ActionStatus.SKIPPED
    )
    state: dict[str, Any] = {"status": closed, "outcome": invitation.notes}
    if action is None or action.completed_at is None:
        state["completed_at"] = now
    return actions.put(spec, now, **state)


def action_of(invitation: Invitation) -> Action | None:
    return Action.objects.filter(key=action_key(invitation.pk)).first()


def invitation_of(action: Action) -> Invitation | None:
    pk = LUNCH.key.id(action.key) if action.kind == LUNCH.kind else None
    if pk is None:
        return None
    return Invitation.objects.select_related("customer", "owner").filter(pk=pk).first()


def move(
    invitation: Invitation, allowed: list[InvitationStatus], now: dt.datetime, **changes: object
) -> Invitation:
    """Change the status, optimistically: a double click or a second tab changes it once."""
    updated = Invitation.objects.filter(pk=invitation.pk, status__in=allowed).update(
        **changes, updated_at=now
    )
    if not updated:
        invitation.refresh_from_db()
        raise ValidationError(refusal(invitation))
    invitation.refresh_from_db()
    return invitation


def refusal(invitation: Invitation) -> str:
    name = invitation.customer.full_name
    return {
        InvitationStatus.SUGGESTED: f"Invite {name} first.",
        InvitationStatus.INVITED: f"{name} has not answered the invitation yet.",
        InvitationStatus.ACCEPTED: f"{name} has accepted already.",
        InvitationStatus.HELD: f"The {invitation.meal_name} with {name} was held already.",
        InvitationStatus.DECLINED: f"{name} declined this invitation.",
        InvitationStatus.CANCELLED: "This invitation was cancelled.",
    }[InvitationStatus(invitation.status)]


@transaction.atomic
def invite(invitation: Invitation, now: dt.datetime, kind: str, value_answer: str) -> Invitation:
    """The rep invited the customer. Needs breakfast or lunch and the answer to the value
    question; refused while the customer has an overdue promise."""
    if kind not in MealKind.values:
        raise ValidationError("Choose breakfast or lunch.")
    value_answer = value_answer.strip()
    if not value_answer:
        raise ValidationError(f"{VALUE_QUESTION} Write a line before inviting them.")
    reason = hold_back_reason(invitation.customer, invitation.owner.local_date(now))
    if reason:
        raise ValidationError(reason)
    invitation = move(invitation, [InvitationStatus.SUGGESTED], now, status="invited", kind=kind)
    action = sync_action(invitation, now)
    actions.amend(action.key, now, value_answer=value_answer)
    return invitation


@transaction.atomic
def accept(invitation: Invitation, now: dt.datetime, meal_on: dt.date | None) -> Invitation:
    """The customer said yes, for ``meal_on`` (today or later)."""
    today = invitation.owner.local_date(now)
    if meal_on is None:
        raise ValidationError("Give the date of the meal.")
    if meal_on < today:
        raise ValidationError(
            "The date has passed: if the meal took place, mark it held with that date."
        )
    invitation = move(
        invitation, [InvitationStatus.INVITED], now, status="accepted", meal_on=meal_on
    )
    sync_action(invitation, now)
    return invitation


def meal_moment(invitation: Invitation, meal_on: dt.date, now: dt.datetime) -> dt.datetime:
    """When the meal happened: now if it was today, else breakfast or lunch time that day."""
    zone = invitation.owner.zone()
    if meal_on == now.astimezone(zone).date():
        return now
    at = MEAL_TIME.get(MealKind(invitation.kind or MealKind.LUNCH), MEAL_TIME[MealKind.LUNCH])
    return dt.datetime.combine(meal_on, at, tzinfo=zone).astimezone(dt.UTC)


@transaction.atomic
def hold(
    invitation: Invitation,
    now: dt.datetime,
    notes: str = "",
    meal_on: dt.date | None = None,
    value_answer: str = "",
) -> Invitation:
    """The meal took place (``meal_on``: default the agreed day, else today). It counts as a
    contact; the Today item is done with the value answer given at the invitation (or now)."""
    from extramile.agenda import services as agenda

    today = invitation.owner.local_date(now)
    if invitation.status not in (InvitationStatus.INVITED, InvitationStatus.ACCEPTED):
        raise ValidationError(
            f"Invite {invitation.customer.full_name} first: a meal is held after an invitation."
            if invitation.status == InvitationStatus.SUGGESTED
            else refusal(invitation)
        )
    meal_on = meal_on or invitation.meal_on or today
    if meal_on > today:
        raise ValidationError(
            f"The {invitation.meal_name} on {date_format(meal_on, 'D j M')} has not happened yet."
        )
    Invitation.objects.filter(pk=invitation.pk).update(meal_on=meal_on)
    invitation.meal_on = meal_on
    action = action_of(invitation)
    if action is None or not action.is_pending:
        invitation = mark_held(invitation, now, notes)
        sync_action(invitation, now)
        return invitation
    # Done on the item marks the invitation held (the completer below), in this transaction.
    agenda.complete(action, now, outcome=notes, value_answer=value_answer or action.value_answer)
    invitation.refresh_from_db()
    return invitation


def mark_held(invitation: Invitation, now: dt.datetime, notes: str) -> Invitation:
    """Held: the status, the notes and the contact (not the Today item)."""
    allowed = [InvitationStatus.INVITED, InvitationStatus.ACCEPTED]
    if invitation.status == InvitationStatus.SUGGESTED:
        raise ValidationError(
            f"Invite {invitation.customer.full_name} first: a meal is held after an invitation."
        )
    meal_on = invitation.meal_on or invitation.owner.local_date(now)
    invitation = move(invitation, allowed, now, status="held", notes=notes.strip(), meal_on=meal_on)
    summary = f"{invitation.meal_name.capitalize()} together" + (
        f": {notes.strip()}" if notes.strip() else ""
    )
    record_contact(
        invitation.customer,
        meal_moment(invitation, meal_on, now),
        ContactChannel.MEAL,
        invitation.owner,
        summary,
    )
    return invitation


@transaction.atomic
def decline(invitation: Invitation, now: dt.datetime, notes: str = "") -> Invitation:
    """The customer said no (or called it off after accepting)."""
    invitation = move(
        invitation,
        [InvitationStatus.INVITED, InvitationStatus.ACCEPTED],
        now,
        status="declined",
        notes=notes.strip(),
    )
    sync_action(invitation, now)
    return invitation


@transaction.atomic
def cancel(invitation: Invitation, now: dt.datetime, notes: str = "") -> Invitation:
    """The rep drops it: not this customer, not this time."""
    invitation = move(invitation, OPEN_INVITATIONS, now, status="cancelled", notes=notes.strip())
    sync_action(invitation, now)
    return invitation
