"""Demo service requests over the demo book: ``populate(now, rng)``.

About twenty requests, written through the service functions so their clocks, timelines and Today
rows are real: a handful open (one urgent and breaching, one waiting on the customer), the rest
resolved over the past three months, one of them a went-wrong request with its extra-mile story.
"""

from __future__ import annotations

import datetime as dt
import random

from extramile.agenda.habits import demo
from extramile.book.models import Customer
from extramile.service import services
from extramile.service.models import Priority, Status

SUBJECTS = [
    "Warning light on the dashboard",
    "Invoice shows the wrong amount",
    "Delivery arrived damaged",
    "Replacement part not yet received",
    "Question about the warranty",
    "Booking for the annual service",
    "Noise when braking",
    "Online account locked",
    "Wants to change the delivery address",
    "Paperwork missing from the handover",
    "Charged twice for one order",
    "Loan car needed next week",
]
RESOLUTIONS = [
    "Fixed on the spot and checked with the customer.",
    "Sent the corrected document and confirmed it arrived.",
    "Replaced the part; the customer is happy.",
    "Explained the terms and put them in writing.",
]
STORY = (
    "The first repair did not hold. I drove the replacement over myself that evening, stayed "
    "until it worked, and called two days later to check. They sent a neighbour our way."
)
HISTORY = 12


@demo("service requests", order=2)
def populate(now: dt.datetime, rng: random.Random) -> int:
    """Create the demo's service requests; return how many."""
    ids = list(Customer.objects.order_by("id").values_list("id", flat=True)[:5000])
    if not ids:
        return 0
    chosen = rng.sample(ids, min(len(ids), HISTORY + 8))
    customers = Customer.objects.select_related("owner").in_bulk(chosen)
    people = [customers[pk] for pk in chosen]
    created = 0

    def subject() -> str:
        return rng.choice(SUBJECTS)

    # Resolved over the past months: answered within an hour or two, resolved a few days later.
    for customer in people[:HISTORY]:
        opened = now - dt.timedelta(days=rng.randint(10, 90), hours=rng.randint(0, 8))
        priority = rng.choice([Priority.HIGH, Priority.NORMAL, Priority.NORMAL, Priority.LOW])
        request = services.open_request(
            customer=customer,
            subject=subject(),
            opened_by=customer.owner,
            now=opened,
            priority=priority,
        )
        rep = customer.owner
        services.respond(request, rep, opened + dt.timedelta(minutes=rng.randint(10, 240)))
        resolved = opened + dt.timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 6))
        services.resolve(request, rep, resolved, rng.choice(RESOLUTIONS))
        created += 1

    rest = people[HISTORY:]
    # Something went wrong, put right, with the rep's story.
    if rest:
        customer = rest.pop()
        opened = now - dt.timedelta(days=20)
        request = services.open_request(
            customer=customer,
            subject="Repair failed a second time",
            opened_by=customer.owner,
            now=opened,
            priority=Priority.HIGH,
            went_wrong=True,
            details="Same fault as last month; the customer is upset.",
        )
        services.respond(request, customer.owner, opened + dt.timedelta(minutes=30))
        services.resolve(
            request,
            customer.owner,
            opened + dt.timedelta(days=2),
            "Replaced the unit and delivered it in person.",
            story=STORY,
        )
        created += 1
    # Urgent and breaching: opened over a week ago, still unanswered.
    if rest:
        customer = rest.pop()
        services.open_request(
            customer=customer,
            subject="Vehicle will not start",
            opened_by=customer.owner,
            now=now - dt.timedelta(days=8),
            priority=Priority.URGENT,
            details="Stuck at home; needs it for work.",
        )
        created += 1
    # Waiting on the customer: answered, then asked for photos.
    if rest:
        customer = rest.pop()
        opened = now - dt.timedelta(days=3)
        request = services.open_request(
            customer=customer,
            subject="Scratch found after the car wash",
            opened_by=customer.owner,
            now=opened,
        )
        services.respond(
            request, customer.owner, opened + dt.timedelta(minutes=45), "Asked for photos."
        )
        services.set_status(request, Status.WAITING, customer.owner, opened + dt.timedelta(hours=1))
        created += 1
    # Fresh today, some already answered.
    for index, customer in enumerate(rest):
        opened = now - dt.timedelta(minutes=rng.randint(5, 90))
        request = services.open_request(
            customer=customer,
            subject=subject(),
            opened_by=customer.owner,
            now=opened,
            priority=rng.choice([Priority.NORMAL, Priority.LOW]),
        )
        if index % 2:
            services.respond(request, customer.owner, opened + dt.timedelta(minutes=3))
        created += 1
    return created
