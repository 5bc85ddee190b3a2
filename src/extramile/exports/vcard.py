"""vCard 4.0 (RFC 6350): one file with one card per customer.

vobject, the usual Python vCard library, writes vCard 3.0 only (its serializer knows 3.0's
behaviours and would label a 4.0 card wrongly), so this is a small serializer of our own, kept to
what the RFC says: CRLF line ends, lines folded at 75 octets without splitting a UTF-8 character,
backslash, comma, semicolon and line breaks escaped in text, structured values (N, ADR, ORG) with
each component escaped, BDAY and ANNIVERSARY as ``19800415`` or ``--0415`` without a year.
The tests parse the output back with vobject.

A card has FN, N, NICKNAME (the preferred form of address), ORG, EMAIL and TEL (with TYPE from
the label, PREF=1 on the primary), ADR, BDAY, ANNIVERSARY (the wedding date), NOTE (the notes,
then one per fact), CATEGORIES (interests and fact tags), KIND and a stable UID, so a re-import
updates instead of duplicating. Phone numbers are written as text in E.164 (``+14155550123``),
which RFC 6350 allows and every phone reads.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence

from django.conf import settings
from django.db.models import QuerySet

from extramile.book.models import Customer
from extramile.exports.contacts import Entry, entries

MAX_OCTETS = 75
PRODID = "-//ExtraMile//Customer export//EN"

PHONE_TYPES = {
    "mobile": "cell",
    "cell": "cell",
    "cellphone": "cell",
    "home": "home",
    "work": "work",
    "office": "work",
    "business": "work",
    "fax": "fax",
    "pager": "pager",
}
EMAIL_TYPES = {
    "home": "home",
    "personal": "home",
    "private": "home",
    "work": "work",
    "office": "work",
}


def escape(text: str) -> str:
    """A text value with ``\\``, ``,``, ``;`` and line breaks escaped (RFC 6350 3.4)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def structured(parts: Sequence[str]) -> str:
    """Components separated by ``;``, each escaped (N, ADR, ORG)."""
    return ";".join(escape(part) for part in parts)


def fold(line: str) -> str:
    """``line`` folded into lines of at most 75 octets (the continuation's leading space counts),
    never inside a UTF-8 character; joined with CRLF."""
    data = line.encode("utf-8")
    pieces: list[bytes] = []
    limit = MAX_OCTETS
    while len(data) > limit:
        cut = limit
        while cut > 0 and (data[cut] & 0b1100_0000) == 0b1000_0000:
            cut -= 1  # do not split a multi-byte character
        pieces.append(data[:cut])
        data = data[cut:]
        limit = MAX_OCTETS - 1
    pieces.append(data)
    return "\r\n ".join(piece.decode("utf-8") for piece in pieces)


def _type_param(label: str, known: dict[str, str]) -> str:
    kind = known.get(label.strip().lower())
    return f";TYPE={kind}" if kind else ""


def uid(customer_id: int) -> str:
    """The same UID for the same customer of the same installation, every time."""
    return "urn:uuid:" + str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"{settings.SITE_URL}/customers/{customer_id}")
    )


def card(entry: Entry) -> str:
    """One BEGIN:VCARD … END:VCARD block with CRLF line ends."""
    c = entry.customer
    person = bool(c.first_name or c.last_name)
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        f"PRODID:{PRODID}",
        f"UID:{uid(c.pk)}",
        f"KIND:{'individual' if person else 'org'}",
        f"FN:{escape(c.full_name)}",
        f"N:{structured([c.last_name, c.first_name, '', '', ''])}",
    ]
    if c.preferred_name and c.preferred_name != c.first_name:
        lines.append(f"NICKNAME:{escape(c.preferred_name)}")
    if c.company_name:
        lines.append(f"ORG:{escape(c.company_name)}")
    for n, (address, label) in enumerate(entry.emails):
        pref = ";PREF=1" if n == 0 else ""
        lines.append(f"EMAIL{_type_param(label, EMAIL_TYPES)}{pref}:{escape(address)}")
    for n, (number, label) in enumerate(entry.phones):
        pref = ";PREF=1" if n == 0 else ""
        lines.append(f"TEL{_type_param(label, PHONE_TYPES)}{pref}:{escape(number)}")
    if any((c.street, c.city, c.region, c.postal_code, c.country)):
        parts = ["", "", c.street, c.city, c.region, c.postal_code, c.country]
        lines.append(f"ADR;TYPE=home:{structured(parts)}")
    if entry.birthday:
        lines.append(f"BDAY:{entry.birthday.vcard()}")
    if entry.anniversary:
        lines.append(f"ANNIVERSARY:{entry.anniversary.vcard()}")
    if c.language:
        lines.append(f"LANG;PREF=1:{escape(c.language)}")
    if c.time_zone:
        lines.append(f"TZ;VALUE=text:{escape(c.time_zone)}")
    if c.notes.strip():
        lines.append(f"NOTE:{escape(c.notes.strip())}")
    for fact in entry.facts:
        lines.append(f"NOTE:{escape(fact)}")
    if entry.categories:
        lines.append("CATEGORIES:" + ",".join(escape(tag) for tag in entry.categories))
    lines.append("END:VCARD")
    return "".join(fold(line) + "\r\n" for line in lines)


def cards(book: QuerySet[Customer]) -> Iterator[str]:
    """The cards of ``book``, one string per customer, in id order."""
    for entry in entries(book):
        yield card(entry)
