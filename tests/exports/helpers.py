"""A customer with something in every corner of the book, for export and erasure tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from extramile.accounts.models import User
from extramile.agenda.models import Action
from extramile.articles.models import CustomerTopic
from extramile.book import services as book_services
from extramile.book.models import (
    ContactChannel,
    Customer,
    EmailAddress,
    Fact,
    Household,
    KeyDate,
    KeyDateKind,
    PhoneNumber,
    Promise,
    Referral,
    Relationship,
    RelationshipKind,
)
from extramile.culture.models import Story
from extramile.inbox.models import InboundMessage
from extramile.inbox.services import log_inbound
from extramile.outbox.models import OutboxMessage
from extramile.service.services import open_request

EMAIL = "anna.private@example.org"
WORK_EMAIL = "anna@smith-works.example"
PHONE = "+14155550123"
PHONE_AS_DIALLED = "(415) 555-0123"


def fill(customer: Customer, relative: Customer, now: dt.datetime) -> None:
    """Give ``customer`` e-mails, phones, dates, facts, a family link to ``relative``, a referral,
    a sale (and its thank-you note), a promise, a contact, a service request, inbound messages
    (one matched, one unmatched from their phone as dialled), an e-mail in the outbox, a story."""
    owner = customer.owner
    household = Household.objects.create(
        name="The Smith Family", street="1 Elm St", city="Springfield", postal_code="62701"
    )
    customer.household = household
    customer.street, customer.city, customer.region = "1 Elm St", "Springfield", "IL"
    customer.postal_code, customer.country = "62701", "US"
    customer.save()
    EmailAddress.objects.create(customer=customer, address=EMAIL, label="home", is_primary=True)
    EmailAddress.objects.create(customer=customer, address=WORK_EMAIL, label="work")
    PhoneNumber.objects.create(customer=customer, number=PHONE, label="mobile", is_primary=True)
    PhoneNumber.objects.create(customer=customer, number="+442079460958", label="work")
    KeyDate.objects.create(customer=customer, kind=KeyDateKind.WEDDING, month=6, day=12, year=2005)
    Fact.objects.create(customer=customer, text="Loves sailing; owns a boat", tags="sailing, boats")
    CustomerTopic.objects.create(customer=customer, topic="travel")
    Relationship.objects.create(
        from_customer=customer, to_customer=relative, kind=RelationshipKind.PARENT
    )
    Referral.objects.create(referrer=customer, referred=relative, date=now.date())
    book_services.record_sale(
        customer, now.date(), "Touring bike", Decimal("1249.00"), owner, now=now
    )
    Promise.objects.create(
        customer=customer, description="Call back about the warranty", due_on=now.date()
    )
    book_services.record_contact(customer, now, ContactChannel.CALL, owner, "Talked about bikes")
    open_request(customer=customer, subject="Squeaky brakes", opened_by=owner, now=now)
    log_inbound(
        channel="email",
        from_address=EMAIL,
        received_at=now,
        summary="Is my bike ready?",
        now=now,
        owner=owner,
    )
    call = log_inbound(
        channel="call",
        from_address=PHONE_AS_DIALLED,
        received_at=now,
        summary="Missed call",
        now=now,
        owner=owner,
    )
    # As if it came before the number was on file: left unmatched, found by the number.
    InboundMessage.objects.filter(pk=call.pk).update(customer=None)
    OutboxMessage.objects.create(
        key=f"test:{customer.pk}",
        customer=None,  # not linked: found by its address
        to_address=EMAIL,
        from_address=owner.email,
        subject="Your article",
        text="Dear Anna, …",
        queued_at=now,
    )
    Story.objects.create(
        author=owner,
        customer=customer,
        date=now.date(),
        what_done="Fixed the brakes on a Sunday",
        created_at=now,
        updated_at=now,
    )
    Action.objects.create(
        key=f"test:follow-up:{customer.pk}",
        kind="follow_up",
        owner=owner,
        customer=customer,
        title="Ask how the bike rides",
        due_on=now.date() + dt.timedelta(days=3),
        created_at=now,
        updated_at=now,
    )


def owners(*users: User) -> set[str]:
    return {u.username for u in users}
