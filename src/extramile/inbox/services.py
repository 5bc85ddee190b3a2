"""Inbound messages and the replies owed to them. Views, the CLI and the API call these.

Plain functions taking ``now``. A message with an owner has a "Reply owed" action on the owner's
Today (key ``reply:<id>``), kept in step here: created on arrival, moved when the message is matched
to another rep's customer, closed when the reply is marked. Unassigned messages have no action:
managers and admins see them on the Inbox page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from extramile import business_hours
from extramile.accounts.models import Company, User
from extramile.agenda import actions
from extramile.agenda.models import Action, ActionStatus
from extramile.agenda.registry import ActionSpec, completer, preparer
from extramile.book.models import ContactChannel, Customer
from extramile.book.services import add_email, add_phone, record_contact
from extramile.inbox import clock
from extramile.inbox.habits import REPLY
from extramile.inbox.matching import find_customer, normalise_sender
from extramile.inbox.models import Channel, InboundMessage, Source

PENDING = [ActionStatus.OPEN, ActionStatus.SNOOZED]
# A message may be logged a little ahead of the server's clock (a phone's clock runs fast).
CLOCK_SKEW = dt.timedelta(minutes=5)
MAX_SUMMARY = 5000


class AlreadyReplied(ValidationError):
    pass


@dataclass(frozen=True)
class Received:
    message: InboundMessage
    created: bool  # False: a message with this external id was logged before
    note: str = ""  # why it stayed unmatched, when it did


# What a logger is told when the message went into a book they cannot see. One sentence for every
# such book: nothing in it (nor in the answer's status or shape) tells whose book, which customer,
# which rep, which team or time zone.
PASSED_ON = "Passed on: the colleague who looks after this sender owes the reply."


@dataclass(frozen=True)
class Receipt:
    """What the person who logged a message is told: the page, the API and the CLI render this and
    nothing else. ``message`` is None when the message went to a book the logger cannot see (it is
    still stored and owed by the customer's rep, on their Today within the hour)."""

    message: InboundMessage | None
    created: bool
    note: str

    @property
    def passed_on(self) -> bool:
        return self.message is None


def receipt(result: Received, logger: User | None) -> Receipt:
    """The answer for ``logger`` (None: the company itself — a company token, or the CLI run without
    ``--user`` by whoever runs the server — which is told everything).

    A logger who may see the message (``visible_messages``) gets it whole; anyone else gets
    ``PASSED_ON`` and no message: no customer, id, owner or deadline (a deadline is counted in the
    owner's time zone, so it would tell something of the owner too)."""
    message = result.message
    if logger is None or InboundMessage.objects.visible_to(logger).filter(pk=message.pk).exists():
        return Receipt(message, result.created, result.note)
    return Receipt(None, result.created, PASSED_ON)


def check_fields(
    *,
    channel: str,
    received_at: dt.datetime,
    now: dt.datetime,
    summary: str,
    from_name: str,
    source: str,
    external_id: str,
) -> None:
    if channel not in Channel.values:
        raise ValidationError(f"“{channel}” is not a channel: use {', '.join(Channel.values)}.")
    if received_at.tzinfo is None:
        raise ValidationError(
            "Give the time it was received with its time zone, e.g. 2026-11-23T09:30:00-05:00."
        )
    if received_at > now + CLOCK_SKEW:
        raise ValidationError("A message cannot be received in the future: check the time.")
    if len(summary) > MAX_SUMMARY:
        raise ValidationError(f"Keep the summary under {MAX_SUMMARY:,} characters.")
    if len(from_name) > 200:
        raise ValidationError("The sender's name is longer than 200 characters.")
    if len(external_id) > 200:
        raise ValidationError("The external id is longer than 200 characters.")
    if source not in Source.values:
        raise ValidationError(f"“{source}” is not a source.")


def receive(
    *,
    channel: str,
    from_address: str,
    received_at: dt.datetime,
    summary: str,
    now: dt.datetime,
    owner: User | None = None,
    from_name: str = "",
    source: str = Source.WEB,
    external_id: str = "",
    company: Company | None = None,
) -> Received:
    """Log an inbound message: match its sender, start its reply clock, put it on Today.

    ``owner`` is who logged it (quick-log, CLI) or whom it was sent to (the API's ``to``): it wins
    ties between customers sharing an address and owns the message when nobody matches. A matched
    customer's owner owes the reply. The same ``external_id`` twice returns the first message."""
    summary, from_name, external_id = summary.strip(), from_name.strip(), external_id.strip()
    check_fields(
        channel=channel,
        received_at=received_at,
        now=now,
        summary=summary,
        from_name=from_name,
        source=source,
        external_id=external_id,
    )
    if external_id:
        earlier = InboundMessage.objects.filter(external_id=external_id).first()
        if earlier is not None:
            return Received(earlier, created=False)
    company = company or Company.get()
    address = normalise_sender(channel, from_address, company.country)
    match = find_customer(address, owner)
    owner_user = owner
    if match.customer is not None:
        owner_user = match.customer.owner
    elif match.owner_id is not None and (owner is None or owner.pk != match.owner_id):
        owner_user = User.objects.get(pk=match.owner_id)  # the common owner of several
    message = InboundMessage(
        channel=channel,
        received_at=received_at,
        from_address=from_address.strip(),
        from_name=from_name,
        customer=match.customer,
        owner=owner_user,
        summary=summary,
        reply_due_at=clock.reply_due_at(received_at, owner_user, company),
        source=source,
        external_id=external_id,
        created_at=now,
    )
    try:
        with transaction.atomic():
            message.save()
            sync_action(message, now, company)
    except IntegrityError:
        # Two deliveries of one webhook at the same instant: the other one won.
        earlier = InboundMessage.objects.filter(external_id=external_id).first()
        if external_id and earlier is not None:
            return Received(earlier, created=False)
        raise
    return Received(message, created=True, note=match.note)


def log_inbound(
    *,
    channel: str,
    from_address: str,
    received_at: dt.datetime,
    summary: str,
    now: dt.datetime,
    owner: User | None = None,
    from_name: str = "",
    source: str = Source.WEB,
    external_id: str = "",
) -> InboundMessage:
    """``receive`` returning just the message (the earlier one for a repeated external id)."""
    return receive(
        channel=channel,
        from_address=from_address,
        received_at=received_at,
        summary=summary,
        now=now,
        owner=owner,
        from_name=from_name,
        source=source,
        external_id=external_id,
    ).message


def action_title(message: InboundMessage) -> str:
    return f"Reply to {message.sender} ({message.get_channel_display().lower()})"[:200]


def sync_action(
    message: InboundMessage, now: dt.datetime, company: Company | None = None
) -> Action | None:
    """Create or update the message's "Reply owed" action; none while it has no owner."""
    key = message.action_key
    if message.owner_id is None or message.owner is None:
        actions.discard(key)
        return None
    hours = business_hours.for_user(message.owner, company)
    spec = ActionSpec(
        key=key,
        kind=REPLY.kind,
        owner_id=message.owner_id,
        customer_id=message.customer_id,
        title=action_title(message),
        detail=message.summary[:1000],
        due_on=hours.local_date(message.received_at),
        due_at=message.reply_due_at,
        priority=REPLY.priority,
    )
    # The message decides who owes what by when; the action's own expiry is left alone.
    refresh = ("owner_id", "customer_id", "title", "detail", "due_on", "due_at", "priority")
    if message.replied_at is not None:
        return actions.put(
            spec, now, refresh=refresh, status=ActionStatus.DONE, completed_at=message.replied_at
        )
    return actions.put(spec, now, refresh=refresh)


@transaction.atomic
def match(message: InboundMessage, customer: Customer, user: User, now: dt.datetime) -> None:
    """Match a message to a customer the user may see: the customer's owner now owes the reply
    (the deadline, fixed on arrival, stays). A reply already made counts as a contact."""
    if not Customer.objects.visible_to(user).filter(pk=customer.pk).exists():
        raise ValidationError("You cannot see that customer.")
    updated = InboundMessage.objects.filter(pk=message.pk).update(
        customer=customer, owner_id=customer.owner_id
    )
    if not updated:
        raise ValidationError("This message was deleted.")
    message.refresh_from_db()
    sync_action(message, now)
    if message.replied_at is not None:
        record_contact(
            customer,
            message.replied_at,
            ContactChannel.REPLY,
            message.replied_by,
            _contact(message),
        )


@transaction.atomic
def create_customer(
    message: InboundMessage,
    user: User,
    now: dt.datetime,
    *,
    first_name: str = "",
    last_name: str = "",
    company_name: str = "",
) -> Customer:
    """A new customer from an unmatched message, with its phone or e-mail, matched to it. The
    message's owner owns the customer (the user, for an unassigned message)."""
    if message.customer_id is not None:
        raise ValidationError("This message is matched to a customer already.")
    names = [part.strip() for part in (first_name, last_name, company_name)]
    if not any(names):
        raise ValidationError("Give the new customer a name (or a company).")
    owner = message.owner or user
    customer = Customer(owner=owner, first_name=names[0], last_name=names[1], company_name=names[2])
    customer.full_clean()
    customer.save()
    region = Company.get().country
    if message.is_email:
        add_email(customer, message.from_address)
    else:
        add_phone(customer, message.from_address, region)
    match(message, customer, user, now)
    return customer


def mark_replied(message: InboundMessage, user: User, now: dt.datetime) -> InboundMessage:
    """Record the reply: its response time in business minutes (the owner's hours), a breach when
    after the deadline, a "reply" contact for a matched customer, and the action closed.

    An unassigned message becomes the replier's. A second click says it is replied already."""
    owner = message.owner or user
    hours = business_hours.for_user(owner)
    minutes = round(hours.minutes_between(message.received_at, now))
    late = now > message.reply_due_at
    with transaction.atomic():
        updated = InboundMessage.objects.filter(pk=message.pk, replied_at__isnull=True).update(
            replied_at=now,
            replied_by=user,
            response_minutes=minutes,
            owner=owner,
            **({"breached": True} if late else {}),
        )
        if not updated:
            message.refresh_from_db()
            raise AlreadyReplied(
                f"This message was marked replied already, {message.replied_at:%a %d %b %H:%M} UTC."
            )
        message.refresh_from_db()
        if message.customer is not None:
            record_contact(message.customer, now, ContactChannel.REPLY, user, _contact(message))
        closed = actions.close(message.action_key, now, outcome=_outcome(message))
        if not closed and message.owner_id is not None:
            # An unassigned message just got its owner: the history shows the reply.
            sync_action(message, now)
    return message


def _contact(message: InboundMessage) -> str:
    return f"Replied to a {message.get_channel_display().lower()}: {message.summary}"[:300]


def _outcome(message: InboundMessage) -> str:
    verdict = "late" if message.breached else "in time"
    return f"Replied {verdict}, after {message.response_minutes} business minutes."


@completer(REPLY.kind)
def reply_done(action: Action, now: dt.datetime, outcome: str) -> None:
    """Done on Today marks the message replied (once: an undone and redone action is no news)."""
    pk = REPLY.key.id(action.key)
    message = InboundMessage.objects.filter(pk=pk).first() if pk is not None else None
    if message is not None and message.replied_at is None:
        mark_replied(message, action.owner, now)


def flag_overdue(now: dt.datetime) -> int:
    """Mark unanswered messages past their deadline as breached (the stored flag that history
    and analytics read; pages and figures also compute it live). Returns how many were flagged."""
    return InboundMessage.objects.filter(
        replied_at__isnull=True, breached=False, reply_due_at__lt=now
    ).update(breached=True)


@preparer("replies-overdue")
def flag_overdue_before_planning(day: dt.date, now: dt.datetime, owners: QuerySet[User]) -> int:
    """Every plan (the nightly one included) sweeps for breaches. A preparer reports records it
    created, and this creates none: it answers 0 so the plan's summary stays about new work."""
    flag_overdue(now)
    return 0
