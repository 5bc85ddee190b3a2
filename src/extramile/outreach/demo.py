"""Demo contact history for the call rotation: ``populate(now, rng)``.

Gives the demo book tiers (about 10% A, 25% B, the rest C) and a realistic last contact: most
customers heard from their rep within about their cadence, some are overdue, one in ten never. Each
last contact is a real ``book.Contact`` row (a call, a meeting, a visit or a reply), so the
customer page's history and the coverage figures agree.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from extramile.accounts.models import Company
from extramile.agenda.habits import demo
from extramile.book.models import Contact, ContactChannel, Customer, Status

# Meetings and visits: a call or a reply shows in a customer's History through its own record
# (an outreach Call, a sent reply), which this demo does not write; the demo's calls of the past
# year come from runtime/history.py, each with its Call.
CHANNELS = [ContactChannel.MEETING, ContactChannel.VISIT]
SUMMARIES = {
    ContactChannel.MEETING: "Met at the showroom",
    ContactChannel.VISIT: "Dropped by with the brochure",
}


@demo("customers with tiers and contacts", order=1)
def populate(now: dt.datetime, rng: random.Random) -> int:
    """Set tiers and last contacts on the demo's customers; return how many were touched."""
    company = Company.get()
    people = list(Customer.objects.filter(status=Status.CUSTOMER).only("id", "owner_id"))
    contacts = []
    for person in people:
        roll = rng.random()
        person.tier = "A" if roll < 0.1 else "B" if roll < 0.35 else "C"
        person.last_contact_at = None
        if rng.random() < 0.9:
            # Up to 1.6 cadences ago: most within, some overdue.
            days = rng.uniform(1, company.cadence_days(person.tier) * 1.6)
            at = now - dt.timedelta(days=days, minutes=rng.randrange(8 * 60))
            person.last_contact_at = at
            channel = rng.choice(CHANNELS)
            contacts.append(
                Contact(
                    customer_id=person.pk,
                    user_id=person.owner_id,
                    at=at,
                    channel=channel,
                    summary=SUMMARIES[channel],
                )
            )
    with transaction.atomic():
        Customer.objects.bulk_update(people, ["tier", "last_contact_at"], batch_size=1000)
        Contact.objects.bulk_create(contacts, batch_size=2000)
    return len(people)
