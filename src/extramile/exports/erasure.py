"""Erasure: delete a customer and every personal record about them, in one transaction.

What happens to each kind of record (docs/export.md has the table and the reasons):

* **deleted with the customer** (Django's cascade, run by a ``Collector`` so the counts are
  exact): e-mail addresses, phones, key dates, facts, relationships (both sides), sales,
  referrals (given and received), promises, contacts, service requests and their timelines,
  actions about them, cards, card preferences, proactive calls, interests, article mailings,
  lunch invitations, value scores, opportunities, unsubscribes, weekly surprises;
* **deleted although not linked**: inbound messages *from* them (matched to them, or unmatched
  but from one of their e-mail addresses or phone numbers) with their reply actions, e-mails
  in the outbox to them (these hold their address and words), and the mailbox sync's record of
  mail seen from or to their addresses (``ADDRESS_RECORDS``);
* **their household**, when they were its last member (its name and address are theirs), with its
  cards and actions; a household with other members stays;
* **detached, kept**: extra-mile stories and idea uses that named them as the customer. These are
  the rep's own writing about their work; the link goes, the text stays (the confirmation page
  lists them so a person can edit what they say);
* the admin site's change log entries for every deleted record (they repeat names and addresses).

Only managers and admins erase (a rep's mistake would be unrecoverable, and a request to be
forgotten is a company matter); each may erase only a customer they can see. The audit record
keeps who, when, the customer's id and a count per kind, never the name or contact details.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import router, transaction
from django.db.models import Model, Q
from django.db.models.deletion import Collector

from extramile.accounts.models import Company, User
from extramile.agenda.models import Action
from extramile.book.contact import try_normalise_phone
from extramile.book.models import Customer, Household
from extramile.culture.models import Story
from extramile.exports import audit
from extramile.exports.models import AuditAction, AuditRecord
from extramile.ideas.models import IdeaUse
from extramile.inbox.habits import REPLY
from extramile.inbox.models import InboundMessage
from extramile.outbox.models import OutboxMessage


class ErasureRefused(Exception):
    """Why an erasure cannot happen, in a sentence for the user."""


def may_erase(user: User) -> bool:
    return user.is_active and user.sees_team


def same_name(typed: str, customer: Customer) -> bool:
    """The confirmation: the customer's name as shown, ignoring case and extra spaces."""
    return " ".join(typed.split()).casefold() == " ".join(customer.full_name.split()).casefold()


def find(user: User, customer_id: int) -> Customer:
    """The customer ``user`` may erase; ErasureRefused with the reason otherwise."""
    if not may_erase(user):
        raise ErasureRefused("Only a manager or an admin can erase a customer.")
    customer = Customer.objects.visible_to(user).filter(pk=customer_id).first()
    if customer is None:
        previous = audit.previous_erasure(customer_id)
        if previous is not None:
            raise ErasureRefused(
                f"Customer {customer_id} was already erased on {previous.at:%Y-%m-%d %H:%M} UTC "
                f"by {previous.username}; nothing is left to erase."
            )
        raise ErasureRefused(f"There is no customer {customer_id} that you can see.")
    return customer


def _messages_from(customer: Customer, emails: list[str], phones: list[str]) -> list[int]:
    """Inbound messages from this person: matched to them, or unmatched from their address."""
    ids = set(InboundMessage.objects.filter(customer=customer).values_list("pk", flat=True))
    loose = Q()
    for address in emails:
        loose |= Q(from_address__iexact=address)
    for number in phones:
        # Stored as given ("(415) 555-0123"): narrow by the last four digits, then compare E.164.
        loose |= Q(from_address__contains=number[-4:])
    if not loose:
        return sorted(ids)
    region = Company.get().country
    wanted_emails = {e.lower() for e in emails}
    for pk, raw in InboundMessage.objects.filter(loose, customer__isnull=True).values_list(
        "pk", "from_address"
    ):
        text = raw.strip()
        if ("@" in text and text.lower() in wanted_emails) or (
            "@" not in text and try_normalise_phone(text, region) in phones
        ):
            ids.add(pk)
    return sorted(ids)


# Records of other apps that keep a person's e-mail address as text (no link to the customer):
# (model label, field). Models not installed are passed over.
ADDRESS_RECORDS = (("mailsync.SeenMessage", "address"),)


def _delete_by_address(label: str, field: str, emails: list[str]) -> int:
    if not emails:
        return 0
    try:
        model = apps.get_model(label)
        model._meta.get_field(field)
    except (LookupError, FieldDoesNotExist):
        return 0
    match = Q()
    for address in emails:
        match |= Q(**{f"{field}__iexact": address})
    return model._default_manager.filter(match).delete()[1].get(label, 0)


def _delete_all(collector_of: Sequence[Model], counts: Counter[str]) -> None:
    """Delete ``collector_of`` and everything that cascades from it, with the admin log entries
    of every deleted record; add the counts per model label."""
    if not collector_of:
        return
    using = router.db_for_write(type(collector_of[0]))
    collector = Collector(using=using)
    collector.collect(list(collector_of))
    doomed: dict[type, list[str]] = {}
    for model, instances in collector.data.items():
        doomed.setdefault(model, []).extend(str(obj.pk) for obj in instances)
    for queryset in collector.fast_deletes:
        doomed.setdefault(queryset.model, []).extend(
            str(pk) for pk in queryset.values_list("pk", flat=True)
        )
    for model, pks in doomed.items():
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        for start in range(0, len(pks), 500):
            counts["admin.LogEntry"] += LogEntry.objects.filter(
                content_type=content_type, object_id__in=pks[start : start + 500]
            ).delete()[0]
    _, per_model = collector.delete()
    counts.update({label: n for label, n in per_model.items() if n})


def _erase(customer: Customer) -> dict[str, int]:
    counts: Counter[str] = Counter()
    emails = list(customer.emails.values_list("address", flat=True))
    phones = list(customer.phones.values_list("number", flat=True))

    message_ids = _messages_from(customer, emails, phones)
    if message_ids:
        counts["agenda.Action"] += (
            Action.objects.filter(key__in=[REPLY.key.build(pk) for pk in message_ids])
            .delete()[1]
            .get("agenda.Action", 0)
        )
        _delete_all(list(InboundMessage.objects.filter(pk__in=message_ids)), counts)

    mail = Q(customer=customer)
    for address in emails:
        mail |= Q(to_address__iexact=address)
    counts["outbox.OutboxMessage"] += OutboxMessage.objects.filter(mail).delete()[0]
    for label, field in ADDRESS_RECORDS:
        counts[label] += _delete_by_address(label, field, emails)

    counts["culture.Story (unlinked)"] += Story.objects.filter(customer=customer).update(
        customer=None
    )
    counts["ideas.IdeaUse (unlinked)"] += IdeaUse.objects.filter(customer=customer).update(
        customer=None
    )

    household_id = customer.household_id
    _delete_all([customer], counts)

    if household_id is not None:
        household = Household.objects.filter(pk=household_id, members__isnull=True).first()
        if household is not None:
            counts["agenda.Action"] += (
                Action.objects.filter(household=household).delete()[1].get("agenda.Action", 0)
            )
            _delete_all([household], counts)
    return {label: n for label, n in sorted(counts.items()) if n}


def preview(user: User, customer: Customer) -> dict[str, int]:
    """What erasing ``customer`` would remove, counted by doing it and rolling back."""
    find(user, customer.pk)
    with transaction.atomic():
        counts = _erase(Customer.objects.get(pk=customer.pk))
        transaction.set_rollback(True)
    return counts


def erase(
    user: User, customer_id: int, now: dt.datetime, via: str, confirm_name: str | None = None
) -> AuditRecord:
    """Erase the customer and write the audit record, all in one transaction.

    ``confirm_name`` is what the person typed to confirm (None: confirmed already, the CLI's
    ``--yes``)."""
    with transaction.atomic():
        customer = find(user, customer_id)
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        if confirm_name is not None and not same_name(confirm_name, customer):
            raise ErasureRefused(
                "The name typed does not match the customer's: nothing was erased. "
                "Type the name exactly as shown to confirm."
            )
        counts = _erase(customer)
        return audit.record(
            user, AuditAction.ERASE, "customer", now, via, customer_id=customer_id, counts=counts
        )
