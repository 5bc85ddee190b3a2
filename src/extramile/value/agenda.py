"""How the value score and the lunches reach the nightly plan and Today.

The ``value`` preparer recomputes the scores and tiers once per company-local day (the first
zone's plan does it; ``ValueRun`` remembers the day). The ``lunches`` preparer then suggests one
invitation per rep per period, and the ``lunches`` planner keeps one Today item per open
invitation, its wording refreshed every night (a promise that has become overdue since the
suggestion puts the hold-back reason first).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from extramile.accounts.models import User
from extramile.agenda.models import Action, Priority
from extramile.agenda.registry import ActionSpec, completer, planner, preparer
from extramile.value import lunches, scoring
from extramile.value.habits import LUNCH
from extramile.value.models import Invitation, InvitationStatus


@preparer("value")
def prepare_scores(day: dt.date, now: dt.datetime, owners: QuerySet[User]) -> int:
    """Recompute every score and tier, once a day (``ValueRun`` records the figures). Returns 0:
    scores are not records planned ahead, so the plan's summary does not count them."""
    scoring.nightly(now)
    return 0


@preparer("lunches")
def prepare_lunches(day: dt.date, now: dt.datetime, owners: QuerySet[User]) -> int:
    return lunches.suggest(day, now, owners)


@planner("lunches")
def lunch_items(day: dt.date, now: dt.datetime, owners: QuerySet[User]) -> Iterator[ActionSpec]:
    for invitation, item in lunches.items(day, Invitation.objects.filter(owner__in=owners)):
        yield ActionSpec(
            key=lunches.action_key(invitation.pk),
            kind=LUNCH.kind,
            owner_id=invitation.owner_id,
            customer_id=invitation.customer_id,
            title=item.title,
            detail=item.detail,
            due_on=item.due_on,
            expires_on=item.expires_on,
            priority=Priority.NORMAL,
        )


@completer(LUNCH.kind)
def lunch_done(action: Action, now: dt.datetime, outcome: str) -> None:
    """Done on a lunch item means the meal was held (it must have been invited first)."""
    invitation = lunches.invitation_of(action)
    if invitation is None or invitation.status == InvitationStatus.HELD:
        return
    if invitation.status not in (InvitationStatus.INVITED, InvitationStatus.ACCEPTED):
        raise ValidationError(lunches.refusal(invitation))
    lunches.mark_held(invitation, now, outcome)
