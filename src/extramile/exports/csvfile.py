"""The book as CSV: one row per customer, in plain English headers that `extramile import` reads
back (docs/export.md lists them).

Every cell goes through ``cards.printing.safe_cell``: a cell a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written with a leading
``'``. That includes E.164 phone numbers (``'+14155550123``) and birthdays without a year
(``'--04-15``); an importer strips one leading ``'`` before such a character.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Protocol

from django.db.models import QuerySet

from extramile.book import shape
from extramile.book.models import Customer
from extramile.exports.contacts import Entry, entries
from extramile.spreadsheet import safe_cell

# The columns are declared with the customer's shape (book/shape.py); ``row`` fills them in order.
HEADERS = shape.HEADERS
# Several values in one cell (further e-mails and phones) are separated by this.
SEPARATOR = "; "


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def row(entry: Entry) -> list[str]:
    c = entry.customer
    first_email, *other_emails = entry.emails or [("", "")]
    first_phone, *other_phones = entry.phones or [("", "")]
    cells = [
        c.first_name,
        c.last_name,
        c.preferred_name,
        c.company_name,
        first_email[0],
        first_email[1],
        SEPARATOR.join(address for address, _ in other_emails),
        first_phone[0],
        first_phone[1],
        SEPARATOR.join(number for number, _ in other_phones),
        c.street,
        c.city,
        c.region,
        c.postal_code,
        c.country,
        c.household.name if c.household else "",
        entry.birthday.iso() if entry.birthday else "",
        entry.anniversary.iso() if entry.anniversary else "",
        c.get_status_display(),
        c.tier,
        c.owner.username,
        c.language,
        c.time_zone,
        c.customer_since.isoformat() if c.customer_since else "",
        _yes(c.do_not_call),
        _yes(c.do_not_email),
        _yes(c.do_not_mail),
        _yes(c.do_not_text),
        c.notes,
        str(c.pk),
    ]
    return [safe_cell(cell) for cell in cells]


class _Buffer:
    """A file-like object whose write returns the text, so csv.writer can feed a generator."""

    def write(self, text: str) -> str:
        return text


class Writable(Protocol):
    def write(self, text: str, /) -> object: ...


def lines(book: QuerySet[Customer]) -> Iterator[str]:
    """The CSV text, a line at a time (with a UTF-8 byte-order mark so Excel reads accents)."""
    writer = csv.writer(_Buffer())
    yield "\ufeff" + writer.writerow([safe_cell(h) for h in HEADERS])
    for entry in entries(book):
        yield writer.writerow(row(entry))


def write(book: QuerySet[Customer], out: Writable) -> int:
    """Write the CSV to ``out``; returns the number of customers."""
    count = -1
    for count, line in enumerate(lines(book)):  # noqa: B007
        out.write(line)
    return max(count, 0)
