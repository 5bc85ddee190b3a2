"""Demo competitors and opportunities: ``populate(now, rng) -> int`` (how many opportunities).

Four fictional competitors and about sixty opportunities over the last year on customers of the
demo book, with checklists answered so the win rates tell a story: deals where the rep asked for
commitment first, settled terms up front or used the takeaway win noticeably more often; going
over someone's head helps little. Deterministic for a given ``rng``.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from extramile.accounts.models import User
from extramile.agenda.habits import demo
from extramile.book.models import Customer
from extramile.playbook.models import (
    Competitor,
    Move,
    MoveCheck,
    MoveUse,
    Opportunity,
    Stage,
)

COMPETITORS: list[tuple[str, str, str, str]] = [
    (
        "Rapid Wheels Outlet",
        "A big lot on the highway selling on price, with weekend flash sales.",
        "No home test drives, no loan cars, and the salesperson changes every visit.",
        "One person who knows the family, and a car brought to the door for a test drive.",
    ),
    (
        "CarClick Online",
        "Buy-online with delivery in three days and a seven-day return window.",
        "Cannot look at a trade-in in person, nor fix anything locally.",
        "We value the trade-in on the driveway and service the car around the corner.",
    ),
    (
        "Hillside Family Motors",
        "A small dealer trading on thirty years in town and a loyal older clientele.",
        "Few models in stock; long waits for anything ordered.",
        "Stock on hand, and our own promise to call back within the hour.",
    ),
    (
        "Fleetline Leasing",
        "Business leases bundled with insurance and maintenance.",
        "Will not deal with private buyers or short terms.",
        "Flexible terms for small firms and the same care for the owner's family car.",
    ),
]

TITLES = [
    "Family SUV",
    "First car for their daughter",
    "Van for the business",
    "Upgrade to hybrid",
    "Second car",
    "Replace the estate",
    "Company car for two",
    "Convertible for the summer",
    "Electric commuter",
    "Pick-up for the farm",
]

# How often each move is used, and how much it adds to the chance of winning.
MOVE_USE = {
    Move.COMMITMENT_FIRST: (0.45, 0.20),
    Move.TERMS_UP_FRONT: (0.40, 0.15),
    Move.TIME_CONDITIONS: (0.35, 0.05),
    Move.TAKEAWAY: (0.30, 0.20),
    Move.OVER_THE_HEAD: (0.20, 0.0),
}
BASE_WIN = 0.25


@demo("opportunities", order=7)
def populate(now: dt.datetime, rng: random.Random, count: int = 60) -> int:
    customer_ids = list(
        Customer.objects.filter(owner__is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:2000]
    )
    if not customer_ids:
        return 0
    author = User.objects.filter(is_active=True).order_by("-role", "pk").first()
    today = now.date()
    with transaction.atomic():
        competitors = [
            Competitor.objects.update_or_create(
                name=name,
                defaults={
                    "what_they_do": does,
                    "what_they_wont": wont,
                    "our_difference": ours,
                    "created_by": author,
                    "updated_by": author,
                    "updated_at": now - dt.timedelta(days=rng.randint(5, 200)),
                },
            )[0]
            for name, does, wont, ours in COMPETITORS
        ]
        customers = Customer.objects.in_bulk(
            rng.sample(customer_ids, min(count, len(customer_ids)))
        )
        checks: list[MoveCheck] = []
        made = 0
        for n, customer in enumerate(customers.values()):
            created = now - dt.timedelta(days=rng.randint(20, 365), minutes=n)
            is_closed = (now - created).days > 60 or rng.random() < 0.5
            used = {move: rng.random() < share for move, (share, _lift) in MOVE_USE.items()}
            chance = BASE_WIN + sum(MOVE_USE[m][1] for m, yes in used.items() if yes)
            closed_on = None
            stage = rng.choice([Stage.LEAD, Stage.QUALIFIED, Stage.PROPOSAL, Stage.NEGOTIATION])
            if is_closed:
                stage = Stage.WON if rng.random() < chance else Stage.LOST
                span = max(1, (today - created.date()).days)
                closed_on = created.date() + dt.timedelta(days=rng.randint(1, min(span, 90)))
            opportunity = Opportunity.objects.create(
                customer=customer,
                owner_id=customer.owner_id,
                title=rng.choice(TITLES),
                stage=stage,
                value=Decimal(rng.randrange(8_000, 70_000, 500)),
                expected_close=created.date() + dt.timedelta(days=rng.randint(20, 120)),
                closed_on=closed_on,
                competitor=rng.choice([*competitors, None]),
                created_at=created,
                updated_at=created,
            )
            made += 1
            for move, yes in used.items():
                if yes or is_closed or rng.random() < 0.5:
                    answer = MoveUse.YES if yes else (MoveUse.NO if is_closed else MoveUse.NOT_YET)
                    checks.append(
                        MoveCheck(
                            opportunity=opportunity, move=move, used=answer, updated_at=created
                        )
                    )
        MoveCheck.objects.bulk_create(checks)
    return made
