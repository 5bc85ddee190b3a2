"""Who sent it: the sender's address normalised, and the customer it belongs to.

Phone numbers go to E.164 with ``book.contact`` (the company's country is the region of numbers
written without a country code) and are compared with ``book.PhoneNumber.number``; e-mail
addresses are compared case-insensitively with ``book.EmailAddress.address``.

When several customers share the address, the one the logging user owns wins, else the one they
may see; when that still leaves more than one, the message stays unmatched for the rep to match by
hand (and goes to their common owner, if they have one). The note saying why counts only customers
the logging user may see: other books' customers are never counted aloud.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.db.models.functions import Lower

from extramile.accounts.models import User
from extramile.book.contact import normalise_email, normalise_phone
from extramile.book.models import Customer, EmailAddress, PhoneNumber
from extramile.inbox.models import EMAIL_CHANNELS, PHONE_CHANNELS, Channel

# Candidate lists longer than this are not worth showing: the address is a shared switchboard.
MAX_CANDIDATES = 20
# Addresses looked up per query in the bulk path (well under SQLite's parameter limit).
CHUNK = 900


def normalise_sender(channel: str, raw: str, region: str) -> str:
    """The sender's address as stored on customers: E.164 for a phone, the normalised e-mail.

    Raises ValidationError with a sentence for the user when it is neither, or the wrong kind for
    the channel (a text from an e-mail address, an e-mail from a phone number)."""
    text = (raw or "").strip()
    if channel not in Channel.values:
        raise ValidationError(f"“{channel}” is not a channel: use {', '.join(Channel.values)}.")
    if not text:
        raise ValidationError("Say who it is from: a phone number or an e-mail address.")
    if "@" in text:
        if channel in PHONE_CHANNELS:
            label = Channel(channel).label.lower()
            raise ValidationError(f"A {label} comes from a phone number, not “{text}”.")
        return normalise_email(text).lower()
    if channel in EMAIL_CHANNELS:
        raise ValidationError(f"An e-mail comes from an e-mail address, not “{text}”.")
    return normalise_phone(text, region)


@dataclass(frozen=True)
class Match:
    customer: Customer | None
    owner_id: int | None = None  # the customer's owner, or the common owner of several
    note: str = ""  # why it stayed unmatched, for the user


def candidates(address: str) -> list[Customer]:
    """Customers whose phone or e-mail is ``address`` (normalised as by ``normalise_sender``)."""
    customers = Customer.objects.select_related("owner")
    ids: QuerySet[Any, Any]
    if "@" in address:
        # LOWER(address) = …: a functional index on LOWER(address) serves this on a big book.
        ids = (
            EmailAddress.objects.annotate(lower=Lower("address"))
            .filter(lower=address)
            .values("customer_id")
        )
    else:
        ids = PhoneNumber.objects.filter(number=address).values("customer_id")
    return list(customers.filter(pk__in=ids).order_by("id")[: MAX_CANDIDATES + 1])


def choose(found: list[Customer], user: User | None) -> Match:
    """Pick one of the customers sharing an address (see the module's rules)."""
    if not found:
        return Match(None)
    if len(found) == 1:
        return Match(found[0], found[0].owner_id)
    if user is not None:
        owned = [c for c in found if c.owner_id == user.pk]
        if len(owned) == 1:
            return Match(owned[0], user.pk)
        if not owned:
            visible_ids = set(
                Customer.objects.visible_to(user)
                .filter(pk__in=[c.pk for c in found])
                .values_list("pk", flat=True)
            )
            visible = [c for c in found if c.pk in visible_ids]
            if len(visible) == 1:
                return Match(visible[0], visible[0].owner_id)
            if visible:
                found = visible
            else:
                # Only other books have it: say nothing of how many (the logger's answer must not
                # tell), and route it to their common owner if they have one.
                owners = {c.owner_id for c in found}
                return Match(None, owners.pop() if len(owners) == 1 else None)
        else:
            found = owned
    owners = {c.owner_id for c in found}
    many = f"more than {MAX_CANDIDATES}" if len(found) > MAX_CANDIDATES else str(len(found))
    return Match(
        None,
        owners.pop() if len(owners) == 1 else None,
        f"{many} customers share this address: match it by hand.",
    )


def find_customer(address: str, user: User | None = None) -> Match:
    return choose(candidates(address), user)


def owners_by_address(addresses: Iterable[str]) -> dict[str, list[tuple[int, int]]]:
    """For many normalised addresses at once: ``address -> [(customer id, owner id), …]``.

    One query per chunk of phone numbers (through the number index) and per chunk of e-mails."""
    found: dict[str, list[tuple[int, int]]] = defaultdict(list)
    unique = set(addresses)  # read once: a generator would be spent on the phones
    phones = sorted(a for a in unique if "@" not in a)
    emails = sorted(a for a in unique if "@" in a)
    for start in range(0, len(phones), CHUNK):
        phone_rows = PhoneNumber.objects.filter(
            number__in=phones[start : start + CHUNK]
        ).values_list("number", "customer_id", "customer__owner_id")
        for number, customer_id, owner_id in phone_rows:
            found[number].append((customer_id, owner_id))
    for start in range(0, len(emails), CHUNK):
        email_rows = (
            EmailAddress.objects.annotate(lower=Lower("address"))
            .filter(lower__in=emails[start : start + CHUNK])
            .values_list("lower", "customer_id", "customer__owner_id")
        )
        for lower, customer_id, owner_id in email_rows:
            found[lower].append((customer_id, owner_id))
    return found
