"""Checking one record: every problem with its row (CSV) or line (vCard) and field, or a clean
``Contact`` ready to match and merge. Uses the book's own rules: ``book.contact`` for phones
(E.164) and e-mails, ``book.dates`` for month-days (29 February without a year is fine, 30 February
never is)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property

from django.core.exceptions import ValidationError

from extramile.book.contact import normalise_email
from extramile.book.models import Customer, EmailAddress, normalise_tags
from extramile.imports.readers import RawContact
from extramile.imports.values import (
    BadValue,
    clean_text,
    normalise_phone_fast,
    parse_country,
    parse_month_day,
)

SCALARS = (
    "first_name",
    "last_name",
    "preferred_name",
    "company_name",
    "street",
    "city",
    "region",
    "postal_code",
    "country",
)
LABELS = {
    "first_name": "first name",
    "last_name": "last name",
    "full_name": "full name",
    "preferred_name": "preferred name",
    "company_name": "company",
    "street": "street",
    "city": "city",
    "region": "region",
    "postal_code": "postal code",
    "country": "country",
    "birthday": "birthday",
    "anniversary": "anniversary",
    "email": "e-mail",
    "phone": "phone",
    "notes": "notes",
    "categories": "categories",
    "name": "name",
    "row": "row",
    "card": "card",
}
MAX_NOTE = 10_000
MonthDay = tuple[int, int, int | None]


@dataclass(frozen=True)
class Problem:
    unit: str  # row / line
    number: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.unit.capitalize()} {self.number}, {LABELS.get(self.field, self.field)}: {self.message}"


@dataclass
class Contact:
    first_name: str = ""
    last_name: str = ""
    preferred_name: str = ""
    company_name: str = ""
    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    birthday: MonthDay | None = None
    anniversary: MonthDay | None = None
    emails: list[tuple[str, str]] = field(default_factory=list)
    phones: list[tuple[str, str]] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)  # (text, tags)

    @cached_property
    def name_key(self) -> tuple[str, str, str, str] | None:
        """Same name and postal code: the third way a duplicate is found. A record with no
        postal code, e-mail or phone matches the same name without a postal code, so that
        importing a list of bare names twice does not double it."""
        postal = postal_key(self.postal_code)
        if not postal and (self.emails or self.phones):
            return None
        if self.first_name or self.last_name:
            return (self.first_name.casefold(), self.last_name.casefold(), "", postal)
        return ("", "", self.company_name.casefold(), postal)


def postal_key(code: str) -> str:
    return "".join(code.split()).upper()


@cache
def max_length(name: str) -> int:
    model: type[Customer | EmailAddress] = EmailAddress if name == "email" else Customer
    field = model._meta.get_field("address" if name == "email" else name)
    return int(getattr(field, "max_length", 0) or 0)


def split_full_name(full: str) -> tuple[str, str]:
    """“Smith, Anna” or “Anna Maria Smith” → (first, last)."""
    if "," in full:
        last, _, first = full.partition(",")
        return first.strip(), last.strip()
    parts = full.split()
    if len(parts) == 1:
        return parts[0], ""
    return " ".join(parts[:-1]), parts[-1]


def validate(
    raw: RawContact, company_country: str, check_email: Callable[[str], str] = normalise_email
) -> tuple[Contact | None, list[Problem]]:
    problems = [Problem(raw.unit, line, name, message) for name, message, line in raw.problems]

    def problem(name: str, message: str, line_of: str = "") -> None:
        problems.append(Problem(raw.unit, raw.where(line_of or name)[1], name, message))

    contact = Contact()
    for name in SCALARS:
        value = clean_text(getattr(raw, name))
        if name == "country":
            try:
                value = parse_country(value)
            except BadValue as error:
                problem(name, str(error))
                continue
        elif len(value) > max_length(name):
            problem(name, f"is {len(value)} characters long; at most {max_length(name)} fit.")
            continue
        setattr(contact, name, value)
    if not (contact.first_name or contact.last_name) and raw.full_name:
        first, last = split_full_name(clean_text(raw.full_name))
        if len(first) > max_length("first_name") or len(last) > max_length("last_name"):
            problem("full_name", "is too long for a first and last name.")
        else:
            contact.first_name, contact.last_name = first, last
    named = contact.first_name or contact.last_name or contact.company_name
    if not named and not any(
        p.field in ("first_name", "last_name", "company_name") for p in problems
    ):
        problem("name", "no first name, last name or company: every customer needs one.")
    for name in ("birthday", "anniversary"):
        try:
            setattr(contact, name, parse_month_day(getattr(raw, name), company_country))
        except BadValue as error:
            problem(name, str(error))
    seen_emails: set[str] = set()
    for index, (value, label) in enumerate(raw.emails):
        try:
            address = check_email(clean_text(value))
        except ValidationError as error:
            problem("email", error.messages[0], f"email:{index}")
            continue
        if len(address) > max_length("email"):
            problem("email", "is too long for an e-mail address.", f"email:{index}")
        elif address.casefold() not in seen_emails:
            seen_emails.add(address.casefold())
            contact.emails.append((address, label[:30]))
    region = contact.country or company_country
    seen_phones: set[str] = set()
    for index, (value, label) in enumerate(raw.phones):
        try:
            number = normalise_phone_fast(clean_text(value), region)
        except ValidationError as error:
            problem("phone", error.messages[0], f"phone:{index}")
            continue
        if number not in seen_phones:
            seen_phones.add(number)
            contact.phones.append((number, label[:30]))
    for note in raw.notes:
        text = clean_text(note, multiline=True)
        if len(text) > MAX_NOTE:
            problem("notes", f"are {len(text):,} characters long; at most {MAX_NOTE:,} fit.")
        elif text:
            contact.facts.append((text, ""))
    categories = [clean_text(c) for c in raw.categories if clean_text(c)]
    if categories:
        tags = normalise_tags(", ".join(categories))
        while len(tags) > 200:
            tags = tags.rsplit(",", 1)[0]
        contact.facts.append((f"Categories: {', '.join(categories)}", tags))
    return (None if problems else contact), problems
