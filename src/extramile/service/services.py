"""What happens to a service request: open, respond, note, status, priority, reassign, resolve,
reopen. Plain functions taking ``now``.

Each one, in one transaction: re-reads the request, checks the change makes sense (a
``ValidationError`` with a sentence for the user otherwise), writes it with an optimistic
``filter(<what we read>).update()`` (so a double click or two tabs change it once, and the second
gets a clear message), appends a ``ServiceEvent`` and keeps the request's Action on Today in step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from extramile.accounts.models import Company, User
from extramile.accounts.scoping import can_see_customer
from extramile.agenda import actions
from extramile.agenda.models import Action, ActionStatus
from extramile.agenda.registry import ActionSpec
from extramile.book.models import ContactChannel, Customer
from extramile.book.services import record_contact
from extramile.business_hours import BusinessHours, for_user
from extramile.service import clocks
from extramile.service.habits import SERVICE
from extramile.service.models import (
    DEFAULT_TARGETS,
    OPEN_STATUSES,
    EventKind,
    Priority,
    ServiceEvent,
    ServiceRequest,
    ServiceTarget,
    Status,
)
from extramile.service.signals import went_wrong_resolved

MAX_SUBJECT = 200
MAX_TEXT = 10_000
# Written on every change: the request's state and its clocks.
STATE_FIELDS = (
    "status",
    "priority",
    "assignee_id",
    "went_wrong",
    "first_response_at",
    "resolved_at",
    "resolution",
    "story",
    "response_target_minutes",
    "resolve_target_minutes",
    "first_response_due_at",
    "resolve_due_at",
    "paused_at",
    "response_paused_minutes",
    "resolve_paused_minutes",
    "due_at",
)


# Targets and clocks ---------------------------------------------------------------------------
def targets() -> dict[str, tuple[int, int]]:
    """(first response, resolution) in business minutes for each priority; the defaults fill in
    for a priority whose row an admin deleted."""
    rows = {
        t.priority: (t.first_response_minutes, t.resolve_minutes)
        for t in ServiceTarget.objects.all()
    }
    return {p: rows.get(p, DEFAULT_TARGETS[p]) for p in Priority.values}


def hours_for(request: ServiceRequest, company: Company | None = None) -> BusinessHours:
    """The request's calendar: the company's hours and holidays in the assignee's time zone."""
    return for_user(request.assignee, company or Company.get())


def _set_targets(request: ServiceRequest) -> None:
    request.response_target_minutes, request.resolve_target_minutes = targets()[request.priority]


def _recompute(request: ServiceRequest, hours: BusinessHours) -> None:
    """Both deadlines from ``opened_at``, the request's targets and the pauses so far."""
    request.first_response_due_at = clocks.deadline(
        hours, request.opened_at, request.response_target_minutes, request.response_paused_minutes
    )
    request.resolve_due_at = clocks.deadline(
        hours, request.opened_at, request.resolve_target_minutes, request.resolve_paused_minutes
    )
    request.due_at = next_due(request)


def next_due(request: ServiceRequest) -> dt.datetime | None:
    """The deadline Today and the queue sort by: the first response's while it is owed, then the
    resolution's. None when resolved, or paused before that deadline (the clock is stopped)."""
    if not request.is_open:
        return None
    due = (
        request.first_response_due_at
        if request.first_response_at is None
        else request.resolve_due_at
    )
    if request.paused_at is not None and request.paused_at <= due:
        return None
    return due


def _resume(request: ServiceRequest, hours: BusinessHours, now: dt.datetime) -> None:
    """End a pause: credit the clocks still running with the business minutes it lasted."""
    if request.paused_at is None:
        return
    if request.first_response_at is None:
        request.response_paused_minutes += clocks.pause_credit(
            hours, request.first_response_due_at, request.paused_at, now
        )
    request.resolve_paused_minutes += clocks.pause_credit(
        hours, request.resolve_due_at, request.paused_at, now
    )
    request.paused_at = None


@dataclass(frozen=True)
class ClockView:
    """What the row on Today and the queue say about the next deadline."""

    label: str  # "First response" / "Resolution"
    due: dt.datetime | None  # local to the assignee
    text: str  # "45 min left", "breaching by 25 min", "paused: waiting on the customer"
    breaching: bool
    paused: bool


def clock_view(
    request: ServiceRequest, now: dt.datetime, hours: BusinessHours | None = None
) -> ClockView | None:
    if not request.is_open:
        return None
    hours = hours or hours_for(request)
    responding = request.first_response_at is None
    label = "First response" if responding else "Resolution"
    due = request.first_response_due_at if responding else request.resolve_due_at
    local_due = due.astimezone(hours.zone)
    if request.breaching(now):
        until = request.paused_at or now
        late = clocks.format_minutes(clocks.minutes_left(hours, due, until))
        return ClockView(label, local_due, f"breaching by {late}", True, request.is_paused)
    if request.paused_at is not None:
        return ClockView(label, None, "paused: waiting on the customer", False, True)
    left = clocks.format_minutes(clocks.minutes_left(hours, due, now))
    return ClockView(label, local_due, f"{left} left", False, False)


def local_time(moment: dt.datetime, hours: BusinessHours) -> str:
    local = moment.astimezone(hours.zone)
    return f"{local:%a} {local.day} {local:%b %H:%M}"


# Keeping Today in step ------------------------------------------------------------------------
def action_title(request: ServiceRequest) -> str:
    title = (
        f"Service ({request.get_priority_display().lower()}): {request.subject} — "
        f"{request.customer.full_name}"
    )
    return title[:200]


def action_detail(request: ServiceRequest, hours: BusinessHours, now: dt.datetime) -> str:
    if not request.is_open:
        return f"Resolved: {request.resolution}"[:500]
    parts = []
    if request.paused_at is not None:
        parts.append(
            f"Waiting on the customer since {local_time(request.paused_at, hours)}: "
            "the clock is paused"
        )
    if request.first_response_at is None:
        parts.append(f"first response due {local_time(request.first_response_due_at, hours)}")
    parts.append(f"resolve by {local_time(request.resolve_due_at, hours)}")
    if request.breaching(now):
        parts.append("the target is breached")
    text = " · ".join(parts)
    return text[0].upper() + text[1:] + "."


def action_spec(request: ServiceRequest, hours: BusinessHours, now: dt.datetime) -> ActionSpec:
    """The request's Today item as it stands: written on every change and by the nightly plan."""
    return ActionSpec(
        key=request.action_key,
        kind=SERVICE.kind,
        owner_id=request.assignee_id,
        customer_id=request.customer_id,
        title=action_title(request),
        detail=action_detail(request, hours, now),
        due_on=hours.local_date(request.opened_at),
        due_at=request.due_at,
        priority=SERVICE.priority,
    )


def sync_action(request: ServiceRequest, now: dt.datetime, hours: BusinessHours) -> Action:
    """Create or update the request's action: open while the request is, done once resolved."""
    done = not request.is_open
    spec = action_spec(request, hours, now)
    return actions.put(
        spec,
        now,
        refresh=actions.SPEC_FIELDS,
        status=ActionStatus.DONE if done else ActionStatus.OPEN,
        completed_at=request.resolved_at if done else None,
        outcome=request.resolution if done else "",
    )


def action_for(request: ServiceRequest) -> Action | None:
    return Action.objects.filter(key=request.action_key).first()


# Writing --------------------------------------------------------------------------------------
def _text(value: str, what: str, required: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(required)
    if len(value) > MAX_TEXT:
        raise ValidationError(f"The {what} is too long: keep it under {MAX_TEXT:,} characters.")
    return value


def _save(request: ServiceRequest, now: dt.datetime, conflict: str, expect: Q) -> ServiceRequest:
    """Write the request if it is still as we read it (``expect``); otherwise ``conflict``."""
    values = {field: getattr(request, field) for field in STATE_FIELDS}
    if not ServiceRequest.objects.filter(expect, pk=request.pk).update(**values, updated_at=now):
        raise ValidationError(conflict)
    request.updated_at = now
    return request


def _event(
    request: ServiceRequest, now: dt.datetime, user: User | None, kind: str, text: str = ""
) -> ServiceEvent:
    return ServiceEvent.objects.create(request=request, at=now, user=user, kind=kind, text=text)


def _fresh(request: ServiceRequest) -> ServiceRequest:
    request.refresh_from_db()
    return request


def _require_open(request: ServiceRequest, doing: str) -> None:
    if not request.is_open:
        raise ValidationError(f"This request is resolved: reopen it first to {doing}.")


def assignable_users(customer: Customer) -> list[User]:
    """Who may take a request for ``customer``: active users who can see the customer (its
    owner, the owner's team managers, admins)."""
    candidates = (
        User.objects.seeing_book_of(customer.owner).active().order_by("first_name", "username")
    )
    return [user for user in candidates if can_see_customer(user, customer.pk)]


def _check_assignee(assignee: User, customer: Customer) -> None:
    if not can_see_customer(assignee, customer.pk):
        raise ValidationError(
            f"{assignee} cannot see {customer.full_name}: assign the request to the customer’s "
            "rep, their manager or an admin."
        )


def _check_priority(priority: str) -> None:
    if priority not in Priority.values:
        raise ValidationError(
            f"“{priority}” is not a priority: choose urgent, high, normal or low."
        )


@transaction.atomic
def open_request(
    *,
    customer: Customer,
    subject: str,
    opened_by: User | None,
    now: dt.datetime,
    details: str = "",
    priority: str = "normal",
    went_wrong: bool = False,
    assignee: User | None = None,
) -> ServiceRequest:
    """Open a request for ``customer``, assigned to ``assignee`` (default: the customer's rep),
    with both clocks started at ``now`` and the request on the assignee's Today."""
    subject = " ".join((subject or "").split())
    if not subject:
        raise ValidationError("Give the request a subject: what does the customer need?")
    if len(subject) > MAX_SUBJECT:
        raise ValidationError(f"Keep the subject under {MAX_SUBJECT} characters.")
    details = _text(details, "details")
    _check_priority(priority)
    assignee = assignee or customer.owner
    _check_assignee(assignee, customer)
    request = ServiceRequest(
        customer=customer,
        subject=subject,
        details=details,
        priority=priority,
        went_wrong=bool(went_wrong),
        opened_at=now,
        opened_by=opened_by,
        assignee=assignee,
        updated_at=now,
    )
    hours = hours_for(request)
    _set_targets(request)
    _recompute(request, hours)
    request.save()
    opened = f"Opened ({request.get_priority_display().lower()})"
    if went_wrong:
        opened += "; something went wrong"
    _event(request, now, opened_by, EventKind.OPENED, f"{opened}. {details}".strip())
    sync_action(request, now, hours)
    return request


@transaction.atomic
def respond(
    request: ServiceRequest, user: User, now: dt.datetime, text: str = ""
) -> ServiceRequest:
    """Record the first response (a real contact with the customer): the first clock stops, a new
    request becomes open."""
    request = _fresh(request)
    text = _text(text, "response")
    _require_open(request, "respond")
    if request.first_response_at is not None:
        hours = hours_for(request)
        raise ValidationError(
            f"The first response was recorded already, "
            f"{local_time(request.first_response_at, hours)}."
        )
    hours = hours_for(request)
    request.first_response_at = now
    if request.status == Status.NEW:
        request.status = Status.OPEN
    request.due_at = next_due(request)
    _save(
        request,
        now,
        "The first response was recorded already.",
        Q(first_response_at__isnull=True, status__in=OPEN_STATUSES),
    )
    _event(request, now, user, EventKind.FIRST_RESPONSE, text)
    summary = f"Service: {request.subject}" + (f" — {text}" if text else "")
    record_contact(request.customer, now, ContactChannel.REPLY, user, summary)
    sync_action(request, now, hours)
    return request


@transaction.atomic
def add_note(request: ServiceRequest, user: User, now: dt.datetime, text: str) -> ServiceEvent:
    request = _fresh(request)
    text = _text(text, "note", required="Write the note first.")
    ServiceRequest.objects.filter(pk=request.pk).update(updated_at=now)
    return _event(request, now, user, EventKind.NOTE, text)


@transaction.atomic
def set_status(
    request: ServiceRequest, status: str, user: User, now: dt.datetime
) -> ServiceRequest:
    """Move between open and waiting on the customer. Waiting pauses the clocks; leaving it moves
    the deadlines on by the business minutes spent waiting. Resolving has its own function."""
    request = _fresh(request)
    if status == Status.RESOLVED:
        raise ValidationError("Resolve the request with what was done, on its resolve form.")
    if status not in (Status.OPEN, Status.WAITING):
        raise ValidationError("Choose open or waiting on customer.")
    _require_open(request, "change its status")
    old = request.status
    if status == old:
        raise ValidationError(f"The request is already “{request.get_status_display()}”.")
    hours = hours_for(request)
    if status == Status.WAITING:
        request.paused_at = now
    else:
        _resume(request, hours, now)
    request.status = status
    _recompute(request, hours)
    _save(request, now, "Someone changed this request meanwhile: look again.", Q(status=old))
    before = Status(old).label
    _event(request, now, user, EventKind.STATUS, f"{before} → {request.get_status_display()}")
    sync_action(request, now, hours)
    return request


@transaction.atomic
def set_priority(
    request: ServiceRequest, priority: str, user: User, now: dt.datetime
) -> ServiceRequest:
    """Change the priority: both deadlines are recomputed from the opening with the new targets,
    keeping the time paused so far."""
    request = _fresh(request)
    _check_priority(priority)
    _require_open(request, "change its priority")
    old = request.priority
    if priority == old:
        raise ValidationError(f"The priority is already {request.get_priority_display().lower()}.")
    hours = hours_for(request)
    request.priority = priority
    _set_targets(request)
    _recompute(request, hours)
    _save(request, now, "Someone changed this request meanwhile: look again.", Q(priority=old))
    text = f"{Priority(old).label} → {request.get_priority_display()}"
    _event(request, now, user, EventKind.PRIORITY, text)
    sync_action(request, now, hours)
    return request


@transaction.atomic
def set_went_wrong(
    request: ServiceRequest, went_wrong: bool, user: User, now: dt.datetime
) -> ServiceRequest:
    """Flag (or unflag) that something went wrong; resolving a flagged request asks for a story."""
    request = _fresh(request)
    _require_open(request, "change it")
    if request.went_wrong == went_wrong:
        raise ValidationError("Nothing to change.")
    request.went_wrong = went_wrong
    _save(request, now, "Someone changed this request meanwhile.", Q(went_wrong=not went_wrong))
    text = "Marked: something went wrong." if went_wrong else "No longer marked as gone wrong."
    _event(request, now, user, EventKind.NOTE, text)
    return request


@transaction.atomic
def reassign(
    request: ServiceRequest, assignee: User, user: User, now: dt.datetime
) -> ServiceRequest:
    """Hand the request to someone else: its row moves to their Today. The deadlines stay: they
    are what the customer was promised."""
    request = _fresh(request)
    _require_open(request, "reassign it")
    old = request.assignee
    if assignee.pk == old.pk:
        raise ValidationError(f"The request is already assigned to {assignee}.")
    _check_assignee(assignee, request.customer)
    request.assignee = assignee
    _save(request, now, "Someone reassigned this request meanwhile.", Q(assignee_id=old.pk))
    _event(request, now, user, EventKind.REASSIGNED, f"{old} → {assignee}")
    sync_action(request, now, hours_for(request))
    return request


@transaction.atomic
def resolve(
    request: ServiceRequest, user: User, now: dt.datetime, resolution: str, story: str = ""
) -> ServiceRequest:
    """Resolve with what was done. A request where something went wrong also needs the rep's
    extra-mile story: it is kept on the request as written and becomes a private draft
    ``culture.Story`` that Today asks the rep to finish. Both clocks stop; the action on Today is
    closed as done."""
    request = _fresh(request)
    resolution = _text(resolution, "resolution", required="Say how it was resolved.")
    story = _text(story, "story")
    if not request.is_open:
        raise ValidationError("This request was resolved already.")
    if request.went_wrong and not story:
        raise ValidationError(
            "Something went wrong here: write the extra-mile story, what you did to put it "
            "right, before resolving."
        )
    hours = hours_for(request)
    _resume(request, hours, now)
    request.status = Status.RESOLVED
    request.resolved_at = now
    request.resolution = resolution
    if story:
        request.story = story
    if request.first_response_at is None:
        request.first_response_at = now  # a resolution answers the customer too
    request.due_at = None
    _save(request, now, "This request was resolved already.", Q(status__in=OPEN_STATUSES))
    _event(request, now, user, EventKind.RESOLVED, resolution)
    sync_action(request, now, hours)
    if request.went_wrong:  # culture keeps a private draft story; Today asks to finish it
        went_wrong_resolved.send(sender=ServiceRequest, request=request, user=user, now=now)
    return request


@transaction.atomic
def reopen(
    request: ServiceRequest, user: User, now: dt.datetime, reason: str = ""
) -> ServiceRequest:
    """Reopen a resolved request: the resolution clock runs on from where it stopped (the time
    it spent resolved counts like a pause), and the request is back on Today."""
    request = _fresh(request)
    reason = _text(reason, "reason")
    if request.is_open:
        raise ValidationError("This request is open already.")
    hours = hours_for(request)
    assert request.resolved_at is not None
    request.resolve_paused_minutes += clocks.pause_credit(
        hours, request.resolve_due_at, request.resolved_at, now
    )
    request.status = Status.OPEN
    request.resolved_at = None
    request.resolution = ""
    _recompute(request, hours)
    _save(request, now, "This request was reopened already.", Q(status=Status.RESOLVED))
    _event(request, now, user, EventKind.REOPENED, reason)
    sync_action(request, now, hours)
    return request
