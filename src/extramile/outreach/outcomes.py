"""What came of a proactive call: one click on Today, one function here.

Each function closes the call action and writes everything the outcome means in one transaction.
The close is optimistic (``filter(status=pending).update()``): a double click or a second tab gets
“already done” and writes nothing twice. Every outcome but “no answer” is a real contact
(``book.services.record_contact``), which moves the customer's last contact forward.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from extramile import business_hours
from extramile.accounts.models import Company, User
from extramile.agenda import actions
from extramile.agenda.models import Action
from extramile.agenda.registry import ActionSpec, completer
from extramile.agenda.services import AlreadyClosed
from extramile.book.contact import normalise_email, normalise_phone
from extramile.book.models import (
    ContactChannel,
    Customer,
    EmailAddress,
    Fact,
    FactCategory,
    PhoneNumber,
    Referral,
    Status,
)
from extramile.book.services import record_contact
from extramile.outreach.habits import CALL, FOLLOW_UP
from extramile.outreach.models import Call, CallOutcome
from extramile.outreach.rotation import QUIET, call_key
from extramile.service.services import open_request

# No answer: the customer is called again this many working days later (once; a second miss
# returns them to the rotation).
RETRY_AFTER = 2
# A sales lead is followed up this many working days after the call, a referral the next one.
LEAD_FOLLOW_UP = 2
REFERRAL_FOLLOW_UP = 1


def _local_today(action: Action, now: dt.datetime) -> tuple[business_hours.BusinessHours, dt.date]:
    hours = business_hours.for_user(action.owner)
    return hours, hours.local_date(now)


def _close(action: Action, now: dt.datetime, user: User | None, outcome: str, note: str) -> Call:
    """Close the call action as done with its outcome and log the call; one click wins."""
    if action.kind != CALL.kind or action.customer_id is None:
        raise ValidationError("This is not a call to a customer.")
    text = CallOutcome(outcome).label + (f": {note}" if note else "")
    if not actions.close(action.key, now, outcome=text):
        action.refresh_from_db()
        raise AlreadyClosed(f"This call is already {action.get_status_display().lower()}.")
    action.refresh_from_db()
    return Call.objects.create(
        action=action, customer_id=action.customer_id, user=user, at=now, outcome=outcome, note=note
    )


def _follow_up(
    key: str,
    action: Action,
    customer: Customer,
    due_on: dt.date,
    title: str,
    detail: str,
    now: dt.datetime,
) -> Action:
    return actions.put(
        ActionSpec(
            key=key,
            kind=FOLLOW_UP.kind,
            owner_id=action.owner_id,
            customer_id=customer.pk,
            household_id=customer.household_id,
            title=title,
            detail=detail,
            due_on=due_on,
            priority=FOLLOW_UP.priority,
        ),
        now,
    )


def _customer_of(action: Action) -> Customer:
    if action.customer_id is None:
        raise ValidationError("This is not a call to a customer.")
    return Customer.objects.get(pk=action.customer_id)


def _contact(action: Action, now: dt.datetime, user: User | None, summary: str) -> Customer:
    customer = _customer_of(action)
    record_contact(customer, now, ContactChannel.CALL, user, summary)
    return customer


def no_answer(action: Action, now: dt.datetime, user: User | None, note: str = "") -> Call:
    """Not a contact. The customer is called again ``RETRY_AFTER`` working days later (the retry
    counts toward that day's calls); after a second miss they go back to the rotation. An optional
    note (a voicemail left, a number that rang out) is kept on the call."""
    note = " ".join(note.split())[:300]
    hours, today = _local_today(action, now)
    with transaction.atomic():
        call = _close(action, now, user, CallOutcome.NO_ANSWER, note)
        missed_before = (
            Call.objects.filter(
                customer_id=call.customer_id, outcome=CallOutcome.NO_ANSWER, at__gte=now - QUIET
            )
            .exclude(pk=call.pk)
            .exists()
        )
        if missed_before:
            text = "No answer again; back in the rotation"
        else:
            day = hours.add_working_days(today, RETRY_AFTER)
            customer = action.customer
            assert customer is not None
            retry = actions.put(
                ActionSpec(
                    key=call_key(customer.pk, day),
                    kind=CALL.kind,
                    owner_id=action.owner_id,
                    customer_id=customer.pk,
                    household_id=customer.household_id,
                    title=f"Call {customer.full_name} again",
                    detail=f"No answer on {today:%a %d %b}. {action.detail}".strip(),
                    due_on=day,
                    expires_on=day,
                    priority=CALL.priority,
                ),
                now,
            )
            call.follow_up = retry
            call.save(update_fields=["follow_up"])
            text = f"No answer; trying again {day:%a %d %b}"
        if note:
            text = f"{text} · {note}"
        actions.amend(action.key, now, outcome=text)
        action.outcome = text
    return call


def all_fine(action: Action, now: dt.datetime, user: User | None, summary: str = "") -> Call:
    """A contact: all is well with the customer."""
    note = " ".join(summary.split())[:300]
    with transaction.atomic():
        call = _close(action, now, user, CallOutcome.ALL_FINE, note)
        _contact(action, now, user, note or "All fine")
    return call


def service_need(
    action: Action,
    now: dt.datetime,
    user: User | None,
    *,
    subject: str,
    details: str = "",
    priority: str = "normal",
) -> Call:
    """A contact that found something to fix: opens a service request, prefilled from the call."""
    subject = " ".join(subject.split())
    if not subject:
        raise ValidationError("Say in a few words what the customer needs.")
    with transaction.atomic():
        call = _close(action, now, user, CallOutcome.SERVICE_NEED, subject)
        customer = _contact(action, now, user, f"Service need: {subject}")
        request = open_request(
            customer=customer,
            subject=subject,
            opened_by=user,
            now=now,
            details=details.strip(),
            priority=priority,
        )
        call.service_request_id = request.pk
        call.save(update_fields=["service_request_id"])
    return call


def _split_name(name: str) -> tuple[str, str]:
    parts = name.split()
    if len(parts) == 1:
        return parts[0], ""
    return " ".join(parts[:-1]), parts[-1]


def referral(
    action: Action,
    now: dt.datetime,
    user: User | None,
    *,
    name: str,
    phone: str = "",
    email: str = "",
    note: str = "",
) -> Call:
    """A contact who sent someone our way. The referred person joins the rep's book as a prospect
    (or, when the rep has them already by that phone or e-mail, is that customer); the referral is
    recorded and the rep calls them the next working day."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Give the referred person's name.")
    if not phone.strip() and not email.strip():
        raise ValidationError("Give the referred person's phone number or e-mail, to reach them.")
    number = normalise_phone(phone, Company.get().country) if phone.strip() else ""
    address = normalise_email(email) if email.strip() else ""
    note = " ".join(note.split())[:200]
    hours, today = _local_today(action, now)
    with transaction.atomic():
        referrer = _customer_of(action)
        book = Customer.objects.filter(owner_id=action.owner_id)
        known = None
        if number:
            known = book.filter(phones__number=number).first()
        if known is None and address:
            known = book.filter(emails__address__iexact=address).first()
        if known is not None and known.pk == referrer.pk:
            raise ValidationError(f"That is {referrer.full_name}'s own number or address.")
        call = _close(
            action, now, user, CallOutcome.REFERRAL, f"{name}{f' ({note})' if note else ''}"
        )
        if known is None:
            first, last = _split_name(name)
            known = Customer.objects.create(
                owner_id=action.owner_id,
                first_name=first[:100],
                last_name=last[:100],
                status=Status.PROSPECT,
                notes=f"Referred by {referrer.full_name} on {today:%d %b %Y}. {note}".strip(),
            )
            if number:
                PhoneNumber.objects.create(customer=known, number=number, is_primary=True)
            if address:
                EmailAddress.objects.create(customer=known, address=address, is_primary=True)
        record, _ = Referral.objects.get_or_create(
            referrer=referrer, referred=known, defaults={"date": today, "note": note}
        )
        record_contact(referrer, now, ContactChannel.CALL, user, f"Referred {name}")
        call.referral = record
        call.follow_up = _follow_up(
            FOLLOW_UP.key.build("referral", record.pk),
            action,
            known,
            hours.add_working_days(today, REFERRAL_FOLLOW_UP),
            f"Call {known.full_name}, referred by {referrer.full_name}",
            note,
            now,
        )
        call.save(update_fields=["referral", "follow_up"])
    return call


def sales_lead(action: Action, now: dt.datetime, user: User | None, *, note: str) -> Call:
    """A contact with interest in buying: a note on the customer and a follow-up in two working
    days."""
    note = " ".join(note.split())
    if not note:
        raise ValidationError("Write what the customer is interested in.")
    hours, today = _local_today(action, now)
    with transaction.atomic():
        call = _close(action, now, user, CallOutcome.SALES_LEAD, note[:300])
        customer = _contact(action, now, user, f"Sales lead: {note}")
        Fact.objects.create(
            customer=customer,
            text=note,
            category=FactCategory.OTHER,
            tags="sales lead",
            learned_on=today,
        )
        call.follow_up = _follow_up(
            FOLLOW_UP.key.build("call", action.pk),
            action,
            customer,
            hours.add_working_days(today, LEAD_FOLLOW_UP),
            f"Follow up the sales lead with {customer.full_name}",
            note,
            now,
        )
        call.save(update_fields=["follow_up"])
    return call


@completer(CALL.kind)
def call_done(action: Action, now: dt.datetime, outcome: str) -> None:
    """A call marked plain “Done” (outside the outcome buttons) reached the customer: all fine."""
    if action.customer_id is None or Call.objects.filter(action=action).exists():
        return
    Call.objects.create(
        action=action,
        customer_id=action.customer_id,
        user=action.owner,
        at=now,
        outcome=CallOutcome.ALL_FINE,
        note=outcome,
    )
    _contact(action, now, action.owner, outcome or "All fine")
