"""The playbook's rules: who sees and edits what, saving opportunities, closing and reopening
them, and the checklist. Functions take ``now``; views only call them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from extramile.accounts.models import User
from extramile.book.models import Customer
from extramile.playbook.models import (
    CLOSED_STAGES,
    OPEN_STAGES,
    Competitor,
    Move,
    MoveCheck,
    MoveUse,
    Opportunity,
    Stage,
)

# --- Scoping ----------------------------------------------------------------------------------


def can_edit_competitor(user: User, competitor: Competitor) -> bool:
    """Everyone reads competitor notes; managers, admins and the note's author change them."""
    return bool(user.is_active and (user.sees_team or competitor.created_by_id == user.pk))


# --- Competitors ------------------------------------------------------------------------------

COMPETITOR_FIELDS = ("name", "what_they_do", "what_they_wont", "our_difference", "notes")


def save_competitor(
    user: User, data: dict[str, str], now: dt.datetime, competitor: Competitor | None = None
) -> Competitor:
    """Create (anyone) or change (see ``can_edit_competitor``) a competitor's notes."""
    if competitor is not None and not can_edit_competitor(user, competitor):
        raise ValidationError("Only a manager, an admin or the note's author can change it.")
    values = {field: (data.get(field) or "").strip() for field in COMPETITOR_FIELDS}
    if not values["name"]:
        raise ValidationError("Give the competitor a name.")
    if len(values["name"]) > 120:
        raise ValidationError("Keep the name under 120 characters.")
    clash = Competitor.objects.filter(name__iexact=values["name"])
    if competitor is not None:
        clash = clash.exclude(pk=competitor.pk)
    if clash.exists():
        raise ValidationError(f"There are notes on “{values['name']}” already: add to those.")
    if competitor is None:
        competitor = Competitor(created_by=user)
    for field, value in values.items():
        setattr(competitor, field, value)
    competitor.updated_by = user
    competitor.updated_at = now
    competitor.save()
    return competitor


# --- Opportunities ----------------------------------------------------------------------------


def parse_value(raw: Any) -> Decimal:
    text = str(raw if raw is not None else "").strip().replace(",", "")
    if not text:
        return Decimal("0")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"“{raw}” is not an amount: write a number such as 12500.") from None
    if not value.is_finite():
        raise ValidationError(f"“{raw}” is not an amount: write a number such as 12500.")
    if value < 0:
        raise ValidationError("The value cannot be negative.")
    if value >= Decimal("10000000000"):
        raise ValidationError("The value is too large: under 10,000,000,000 please.")
    return value.quantize(Decimal("0.01"))


def parse_date(raw: Any, what: str) -> dt.date | None:
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"The {what} “{text}” is not a date: use YYYY-MM-DD.") from None


def save_opportunity(
    user: User,
    data: dict[str, Any],
    now: dt.datetime,
    opportunity: Opportunity | None = None,
    customer: Customer | None = None,
) -> Opportunity:
    """Create (``customer`` given) or change an opportunity from form data.

    Keys: title, stage (an open stage: won and lost go through ``close``), value, expected_close,
    competitor (an id or empty), notes, owner (an id; only someone who sees other users may pick
    one, default the customer's owner). Every problem is reported at once, one sentence each.
    """
    errors: dict[str, str] = {}
    if opportunity is None:
        if (
            customer is None
            or not Customer.objects.visible_to(user).filter(pk=customer.pk).exists()
        ):
            raise ValidationError("Pick one of your customers first.")
        opportunity = Opportunity(customer=customer, owner_id=customer.owner_id, created_at=now)
    title = (data.get("title") or "").strip()
    if not title:
        errors["title"] = "Give the opportunity a title, such as “Family SUV for the Smiths”."
    elif len(title) > 200:
        errors["title"] = "Keep the title under 200 characters."
    stage = data.get("stage") or (opportunity.stage if opportunity.pk else Stage.LEAD)
    if opportunity.is_closed:
        if stage != opportunity.stage:
            errors["stage"] = "This opportunity is closed: reopen it to change its stage."
    elif stage in CLOSED_STAGES:
        errors["stage"] = "Use “Won” or “Lost” on the opportunity's page to close it."
    elif stage not in OPEN_STAGES:
        errors["stage"] = f"“{stage}” is not a stage."
    try:
        value = parse_value(data.get("value"))
    except ValidationError as problem:
        errors["value"] = " ".join(problem.messages)
    try:
        expected = parse_date(data.get("expected_close"), "expected close")
    except ValidationError as problem:
        errors["expected_close"] = " ".join(problem.messages)
    competitor = None
    if data.get("competitor"):
        competitor = Competitor.objects.filter(pk=_int(data["competitor"])).first()
        if competitor is None:
            errors["competitor"] = "That competitor is not in the playbook."
    owner_id = opportunity.owner_id
    if data.get("owner"):
        owner_id = _int(data["owner"])
        if not User.objects.visible_to(user).active().filter(pk=owner_id).exists():
            errors["owner"] = "Pick an owner from your team."
    if errors:
        raise ValidationError(errors)
    opportunity.title = title
    opportunity.stage = stage
    opportunity.value = value
    opportunity.expected_close = expected
    opportunity.competitor = competitor
    opportunity.notes = (data.get("notes") or "").strip()
    opportunity.owner_id = owner_id
    opportunity.updated_at = now
    opportunity.save()
    return opportunity


def _int(raw: Any) -> int:
    try:
        return int(str(raw).strip())
    except ValueError:
        return 0


def close(
    opportunity: Opportunity,
    outcome: str,
    user: User,
    now: dt.datetime,
    closed_on: dt.date | None = None,
) -> Opportunity:
    """Mark an open opportunity won or lost on ``closed_on`` (default: the user's today).

    A close date in the future is refused (a deal is won when it is signed, not when it is hoped
    for). A second click finds the opportunity closed already and says so.
    """
    if outcome not in CLOSED_STAGES:
        raise ValidationError("Close an opportunity as won or lost.")
    today = user.local_date(now)
    day = closed_on or today
    if day > today:
        raise ValidationError("The close date cannot be in the future: close it on the day.")
    changed = Opportunity.objects.filter(pk=opportunity.pk, stage__in=OPEN_STAGES).update(
        stage=outcome, closed_on=day, updated_at=now
    )
    if not changed:
        raise ValidationError("This opportunity is closed already.")
    opportunity.refresh_from_db()
    return opportunity


def reopen(
    opportunity: Opportunity, now: dt.datetime, stage: str = Stage.NEGOTIATION
) -> Opportunity:
    """Put a won or lost opportunity back in an open ``stage``; its close date is cleared."""
    if stage not in OPEN_STAGES:
        raise ValidationError(
            "Reopen it at an open stage: lead, qualified, proposal or negotiation."
        )
    changed = Opportunity.objects.filter(pk=opportunity.pk, stage__in=CLOSED_STAGES).update(
        stage=stage, closed_on=None, updated_at=now
    )
    if not changed:
        raise ValidationError("This opportunity is open already.")
    opportunity.refresh_from_db()
    return opportunity


# --- The checklist ----------------------------------------------------------------------------


def checklist(opportunity: Opportunity) -> list[tuple[str, str, MoveCheck]]:
    """Every move in order as (move, label, check); an unanswered move is an unsaved 'not yet'."""
    answered = {check.move: check for check in opportunity.moves.all()}
    return [
        (
            move.value,
            str(move.label),
            answered.get(move.value)
            or MoveCheck(opportunity=opportunity, move=move.value, used=MoveUse.NOT_YET),
        )
        for move in Move
    ]


def set_move(
    opportunity: Opportunity,
    move: str,
    used: str,
    user: User,
    now: dt.datetime,
    note: str | None = None,
) -> MoveCheck:
    """Record whether ``move`` was used on this opportunity (and, when given, the note)."""
    if move not in Move.values:
        raise ValidationError(f"“{move}” is not one of the playbook's moves.")
    if used not in MoveUse.values:
        raise ValidationError("Say whether the move was used: yes, no or not yet.")
    defaults: dict[str, Any] = {"used": used, "updated_by": user, "updated_at": now}
    if note is not None:
        note = note.strip()
        if len(note) > 2000:
            raise ValidationError("Keep the note under 2,000 characters.")
        defaults["note"] = note
    with transaction.atomic():
        check, _ = MoveCheck.objects.update_or_create(
            opportunity=opportunity, move=move, defaults=defaults
        )
        Opportunity.objects.filter(pk=opportunity.pk).update(updated_at=now)
    return check
