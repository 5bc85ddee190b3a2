"""Demo value scores and lunches: ``populate(now, rng)``.

Scores the demo book (so tiers follow the value score, as every night), then gives a few reps'
best customers invitations in each state: a suggestion for this period, one invited, one
accepted for next week, one held last month (a meal contact) and one declined.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from extramile.accounts.models import Company, User
from extramile.agenda.habits import demo
from extramile.value import lunches, scoring
from extramile.value.models import Invitation, MealKind

ANSWERS = [
    "Hear how the new house is going and what they will need next spring.",
    "Thank them for the referrals and ask what would make service easier.",
    "Learn their plans for the business next year.",
]


@transaction.atomic
@demo("lunch invitations", order=4)
def populate(now: dt.datetime, rng: random.Random) -> int:
    """Score the book and create a handful of invitations; returns how many invitations."""
    company = Company.get()
    today = scoring.run_day(company, now)
    scoring.recompute(today, now, company)
    owners = User.objects.filter(is_active=True, customers__isnull=False).distinct()
    created = lunches.suggest(today, now, owners)
    steps = ["suggested", "invited", "accepted", "held", "declined"]
    for n, invitation in enumerate(
        Invitation.objects.filter(
            period_start=lunches.period_start(today, company.lunch_every_days)
        )
        .select_related("customer", "owner")
        .order_by("owner_id")
    ):
        step = steps[n % len(steps)]
        kind = rng.choice(MealKind.values)
        if step != "suggested":
            lunches.invite(invitation, now, kind, rng.choice(ANSWERS))
        if step == "accepted":
            lunches.accept(invitation, now, today + dt.timedelta(days=rng.randint(2, 9)))
        elif step == "held":
            lunches.hold(invitation, now, "Talked about the family's plans for the summer")
        elif step == "declined":
            lunches.decline(invitation, now, "Busy this month; asked again in spring")
        else:
            lunches.sync_action(invitation, now)
    return created
