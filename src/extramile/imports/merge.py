"""Finding the customer a record is (same e-mail, same phone in E.164, or same first and last name
and postal code, in that order, within the target owner's book) and merging field by field.

The rules a person expects: empty fields are filled; new e-mails, phones, facts and key dates are
added; a value that differs from what the book has is *kept as it is* and reported as a conflict
(an edit someone made is never overwritten silently). Nothing is deleted.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Model

from extramile.book import dates
from extramile.book.models import (
    Customer,
    EmailAddress,
    Fact,
    KeyDate,
    KeyDateKind,
    PhoneNumber,
    display_name,
)
from extramile.imports.validate import SCALARS, Contact, MonthDay, postal_key

FIELD_NAMES = {
    "first_name": "first name",
    "last_name": "last name",
    "preferred_name": "preferred name",
    "company_name": "company",
    "street": "street",
    "city": "city",
    "region": "region",
    "postal_code": "postal code",
    "country": "country",
    "birthday": "birthday",
    "anniversary": "wedding anniversary",
    "email": "e-mail",
    "phone": "phone",
    "fact": "fact",
}


@dataclass(frozen=True)
class Change:
    kind: str  # filled / added / conflict
    field: str
    value: str
    kept: str = ""

    def __str__(self) -> str:
        name = FIELD_NAMES.get(self.field, self.field)
        if self.kind == "conflict":
            return f"{name}: kept “{self.kept}”, the file has “{self.value}”"
        if self.kind == "added":
            return f"{name} added: {self.value}"
        return f"{name} filled in: {self.value}"


def show_date(value: MonthDay | None) -> str:
    return "" if value is None else dates.format_month_day(*value)


PERSON = (*SCALARS, "birth_month", "birth_day", "birth_year")


class Person:
    """A customer's own fields as the import holds them: a plain object, not a model instance
    (a batch of a thousand is built and written without Django's per-instance cost)."""

    __slots__ = ("pk", *PERSON)

    def __init__(self, pk: int | None = None, **values: Any) -> None:
        self.pk = pk
        self.first_name: str = values.get("first_name", "")
        self.last_name: str = values.get("last_name", "")
        self.preferred_name: str = values.get("preferred_name", "")
        self.company_name: str = values.get("company_name", "")
        self.street: str = values.get("street", "")
        self.city: str = values.get("city", "")
        self.region: str = values.get("region", "")
        self.postal_code: str = values.get("postal_code", "")
        self.country: str = values.get("country", "")
        self.birth_month: int | None = values.get("birth_month")
        self.birth_day: int | None = values.get("birth_day")
        self.birth_year: int | None = values.get("birth_year")

    @property
    def full_name(self) -> str:
        return display_name(self.first_name, self.last_name, self.company_name)

    def values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in PERSON)


@dataclass
class State:
    """A customer as the import sees it while merging: the fields, and what hangs off it."""

    customer: Person
    emails: set[str] = field(default_factory=set)  # casefolded
    phones: set[str] = field(default_factory=set)
    facts: set[str] = field(default_factory=set)
    weddings: list[MonthDay] = field(default_factory=list)
    new_emails: list[tuple[str, str, bool]] = field(default_factory=list)  # address, label, primary
    new_phones: list[tuple[str, str, bool]] = field(default_factory=list)
    new_facts: list[tuple[str, str]] = field(default_factory=list)  # text, tags
    new_dates: list[MonthDay] = field(default_factory=list)  # wedding anniversaries
    dirty: set[str] = field(default_factory=set)

    @property
    def is_new(self) -> bool:
        return self.customer.pk is None

    @property
    def touched(self) -> bool:
        return bool(
            self.dirty or self.new_emails or self.new_phones or self.new_facts or self.new_dates
        )


def birthday_of(customer: Person) -> MonthDay | None:
    if customer.birth_month is None or customer.birth_day is None:
        return None
    return customer.birth_month, customer.birth_day, customer.birth_year


def same_text(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def merge(state: State, contact: Contact) -> list[Change]:
    """Merge ``contact`` into ``state`` in memory; return what changed and what conflicts."""
    customer = state.customer
    changes: list[Change] = []
    for name in SCALARS:
        offered = getattr(contact, name)
        if not offered:
            continue
        kept = getattr(customer, name)
        if not kept:
            setattr(customer, name, offered)
            state.dirty.add(name)
            changes.append(Change("filled", name, offered))
        elif not (
            postal_key(kept) == postal_key(offered)
            if name == "postal_code"
            else same_text(kept, offered)
        ):
            changes.append(Change("conflict", name, offered, kept))
    if contact.birthday is not None:
        changes += merge_birthday(state, contact.birthday)
    if contact.anniversary is not None:
        changes += merge_wedding(state, contact.anniversary)
    for address, label in contact.emails:
        if address.casefold() not in state.emails:
            primary = not state.emails
            state.emails.add(address.casefold())
            state.new_emails.append((address, label, primary))
            changes.append(Change("added", "email", address))
    for number, label in contact.phones:
        if number not in state.phones:
            primary = not state.phones
            state.phones.add(number)
            state.new_phones.append((number, label, primary))
            changes.append(Change("added", "phone", number))
    for text, tags in contact.facts:
        if text not in state.facts:
            state.facts.add(text)
            state.new_facts.append((text, tags))
            changes.append(Change("added", "fact", text if len(text) < 80 else text[:77] + "…"))
    return changes


def merge_birthday(state: State, offered: MonthDay) -> list[Change]:
    customer = state.customer
    kept = birthday_of(customer)
    month, day, year = offered
    if kept is None:
        customer.birth_month, customer.birth_day, customer.birth_year = month, day, year
        state.dirty |= {"birth_month", "birth_day", "birth_year"}
        return [Change("filled", "birthday", show_date(offered))]
    if kept[:2] == (month, day):
        if kept[2] is None and year is not None:
            customer.birth_year = year
            state.dirty.add("birth_year")
            return [Change("filled", "birthday", show_date(offered))]
        if kept[2] is None or year is None or kept[2] == year:
            return []
    return [Change("conflict", "birthday", show_date(offered), show_date(kept))]


def merge_wedding(state: State, offered: MonthDay) -> list[Change]:
    for kept in state.weddings:
        if kept[:2] == offered[:2]:
            return []
    if state.weddings:
        return [Change("conflict", "anniversary", show_date(offered), show_date(state.weddings[0]))]
    state.weddings.append(offered)
    state.new_dates.append(offered)
    return [Change("added", "anniversary", show_date(offered))]


def new_state(contact: Contact) -> State:
    """A new customer from ``contact``: what ``merge`` into an empty customer gives, without
    the report of changes nobody reads for a new customer (the import's most common case).
    ``validate`` has already dropped repeated e-mails and phones within a contact."""
    customer = Person(**{name: getattr(contact, name) for name in SCALARS})
    if contact.birthday is not None:
        customer.birth_month, customer.birth_day, customer.birth_year = contact.birthday
    new_facts: list[tuple[str, str]] = []
    texts: set[str] = set()
    for text, tags in contact.facts:
        if text not in texts:
            texts.add(text)
            new_facts.append((text, tags))
    weddings = [contact.anniversary] if contact.anniversary is not None else []
    return State(
        customer=customer,
        emails={address.casefold() for address, _ in contact.emails},
        phones={number for number, _ in contact.phones},
        facts=texts,
        weddings=weddings,
        new_emails=[(a, label, i == 0) for i, (a, label) in enumerate(contact.emails)],
        new_phones=[(n, label, i == 0) for i, (n, label) in enumerate(contact.phones)],
        new_facts=new_facts,
        new_dates=list(weddings),
    )


# A customer's postal key in SQL, as ``validate.postal_key`` computes it in Python (spaces out,
# upper case), for the postal codes of printable ASCII; any other (a tab, a non-breaking space, a
# letter with an accent, whose upper case SQLite and PostgreSQL do not agree on with Python) is
# OTHER_POSTAL, which every name look-up also asks for: such a customer is still found, and
# ``Matches`` compares the exact keys in Python as before. The expression is the one of the
# ``customer_owner_name_postal`` index (book 0009), character for character, so a look-up is one
# seek in it on both engines (tests/imports/test_merge.py checks the plans).
OTHER_POSTAL = "*"
POSTAL_SQL = {
    "postgresql": "(CASE WHEN {c} ~ '[^ -~]' THEN '*' ELSE upper(replace({c}, ' ', '')) END)",
    "sqlite": "(CASE WHEN {c} GLOB '*[^ -~]*' THEN '*' ELSE upper(replace({c}, ' ', '')) END)",
}


def postal_sql(column: str) -> str:
    return POSTAL_SQL["postgresql" if connection.vendor == "postgresql" else "sqlite"].format(
        c=column
    )


class Matches:
    """The owner's customers that a batch of contacts may be: three dictionaries filled by a few
    indexed queries per batch (e-mail via the lower-case index, phone, the owners of what was
    found, name pairs), so a million-row file never holds the whole book in memory and rows
    written by earlier batches are found."""

    def __init__(self, owner_id: int, contacts: Iterable[Contact]) -> None:
        contacts = list(contacts)
        emails = {address.casefold() for c in contacts for address, _ in c.emails}
        phones = {number for c in contacts for number, _ in c.phones}
        self.by_email: dict[str, int] = {}
        self.by_phone: dict[str, int] = {}
        self.by_name: dict[tuple[str, str, str, str], int] = {}
        found_emails: list[tuple[str, int]] = []
        found_phones: list[tuple[str, int]] = []
        if emails:
            # Driven by the lower-case address index alone; whose customer it is is asked
            # separately by primary key (a join lets the planner scan the owner's whole book).
            found_emails = select(
                "SELECT lower(address), customer_id FROM {table} WHERE lower(address) {any}",
                EmailAddress,
                emails,
            )
        if phones:
            found_phones = select(
                "SELECT number, customer_id FROM {table} WHERE number {any}", PhoneNumber, phones
            )
        candidates = {customer_id for _, customer_id in found_emails + found_phones}
        mine = {
            pk
            for (pk,) in select(
                "SELECT id FROM {table} WHERE owner_id = %s AND id {any}",
                Customer,
                candidates,
                owner_id,
            )
        }
        for address, customer_id in sorted(found_emails, key=lambda row: row[1]):
            if customer_id in mine:
                self.by_email.setdefault(address, customer_id)
        for number, customer_id in sorted(found_phones, key=lambda row: row[1]):
            if customer_id in mine:
                self.by_phone.setdefault(number, customer_id)
        # A name is asked only of the records no e-mail or phone has found (``find``'s order):
        # importing a file again needs no name look-up at all.
        contacts = [
            c
            for c in contacts
            if c.name_key
            and not any(address.casefold() in self.by_email for address, _ in c.emails)
            and not any(number in self.by_phone for number, _ in c.phones)
        ]
        keys = {key for c in contacts if (key := c.name_key)}
        if keys:
            rows = self.by_names(owner_id, contacts) + self.by_companies(owner_id, contacts)
            for first, last, company, postal, customer_id in sorted(rows, key=lambda r: r[-1]):
                name = (first.casefold(), last.casefold())
                key = (*name, "" if any(name) else company.casefold(), postal_key(postal))
                if key in keys:
                    self.by_name.setdefault(key, customer_id)

    @staticmethod
    def by_names(owner_id: int, contacts: list[Contact]) -> list[tuple[Any, ...]]:
        return fetch(names_query(owner_id, contacts))

    @staticmethod
    def by_companies(owner_id: int, contacts: list[Contact]) -> list[tuple[Any, ...]]:
        return fetch(companies_query(owner_id, contacts))

    def find(self, contact: Contact) -> int | None:
        for address, _ in contact.emails:
            if found := self.by_email.get(address.casefold()):
                return found
        for number, _ in contact.phones:
            if found := self.by_phone.get(number):
                return found
        key = contact.name_key
        return self.by_name.get(key) if key else None


Query = tuple[str, list[Any]] | None


def fetch(query: Query) -> list[tuple[Any, ...]]:
    if query is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(*query)
        return list(cursor.fetchall())


def names_query(owner_id: int, contacts: list[Contact]) -> Query:
    """Customers with the same (last, first) name pairs, as written or in Title Case, and the
    same postal key (``postal_sql``): a join against the triples, so each is one seek in the
    ``customer_owner_name_postal`` index (book 0009) that finds only the customers a record
    can be. Without the postal key in the seek a common name made every batch read every
    customer of that name written so far (a million-row file: 95 per pair by the end)."""
    triples = {
        (last, first, key)
        for c in contacts
        if c.name_key and (c.first_name or c.last_name)
        for last, first in (
            (c.last_name, c.first_name),
            (c.last_name.title(), c.first_name.title()),
        )
        for key in (c.name_key[3], OTHER_POSTAL)
    }
    if not triples:
        return None
    table = Customer._meta.db_table
    columns = "c.first_name, c.last_name, c.company_name, c.postal_code, c.id"
    postal = postal_sql("c.postal_code")
    if connection.vendor == "postgresql":
        # LATERAL keeps it a seek per triple: as a plain join PostgreSQL prefers hashing the
        # triples and reading the owner's whole book, which grows with every batch written.
        # OFFSET 0 keeps the planner from pulling the subquery up into such a join (it did,
        # with statistics older than the batch: a seek on the owner alone, filtered).
        sql = (
            f"SELECT {columns} FROM unnest(%s::text[], %s::text[], %s::text[]) "  # noqa: S608
            f"AS v(last, first, postal) CROSS JOIN LATERAL (SELECT * FROM {table} c "
            f"WHERE owner_id = %s AND last_name = v.last AND first_name = v.first "
            f"AND {postal} = v.postal OFFSET 0) c"
        )
        params: list[Any] = [*(list(part) for part in zip(*triples, strict=True)), owner_id]
    else:
        values = ", ".join(["(%s, %s, %s)"] * len(triples))
        sql = (
            f"SELECT {columns} FROM (VALUES {values}) AS v JOIN {table} c "  # noqa: S608
            "ON c.owner_id = %s AND c.last_name = v.column1 AND c.first_name = v.column2 "
            f"AND {postal} = v.column3"
        )
        params = [*(part for triple in triples for part in triple), owner_id]
    return sql, params


def companies_query(owner_id: int, contacts: list[Contact]) -> Query:
    """Customers with no personal name, one of the companies' spellings (``variants``) and
    the same postal key: seeks in the same index (an empty first and last name)."""
    found = [c for c in contacts if c.name_key and not (c.first_name or c.last_name)]
    names = {variant for c in found for variant in variants(c.company_name)}
    if not names:
        return None
    keys = {c.name_key[3] for c in found if c.name_key} | {OTHER_POSTAL}
    in_keys, key_params = any_of(keys)
    in_names, name_params = any_of(names)
    table = connection.ops.quote_name(Customer._meta.db_table)
    sql = (
        "SELECT first_name, last_name, company_name, postal_code, id "  # noqa: S608
        f"FROM {table} WHERE owner_id = %s AND last_name = '' AND first_name = '' "
        f"AND {postal_sql('postal_code')} {in_keys} AND company_name {in_names}"
    )
    return sql, [owner_id, *key_params, *name_params]


def select(sql: str, model: type[Model], values: Collection[Any], *before: Any) -> list[Any]:
    """Rows of ``sql``, whose ``{any}`` is "is one of ``values``" (``any_of``). ``before`` are
    the parameters that come before it. Nothing is asked for no values."""
    if not values:
        return []
    table = connection.ops.quote_name(model._meta.db_table)
    condition, params = any_of(values)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=table, any=condition), [*before, *params])
        return list(cursor.fetchall())


def any_of(values: Collection[Any]) -> tuple[str, list[Any]]:
    """ "Is one of ``values``" (not empty): an array parameter on PostgreSQL, so the statement
    stays short and psycopg does not parse a few hundred placeholders for every batch; an
    ``IN`` list on SQLite."""
    items = list(values)
    if connection.vendor == "postgresql":
        kind = "bigint" if isinstance(items[0], int) else "text"
        return f"= ANY(%s::{kind}[])", [items]
    return f"IN ({', '.join(['%s'] * len(items))})", items


def variants(name: str) -> set[str]:
    return {name, name.title(), name.lower(), name.upper(), name.capitalize()}


def load_states(ids: set[int]) -> dict[int, State]:
    """The existing customers ``ids`` with their e-mails, phones, facts and wedding dates: five
    queries on the cursor (``select``; the ORM's ``pk__in`` prepared each of a batch's ids in
    Python, a third of re-importing a file)."""
    if not ids:
        return {}
    states = {
        row[0]: State(customer=Person(row[0], **dict(zip(PERSON, row[1:], strict=True))))
        for row in select(
            f"SELECT id, {', '.join(map(connection.ops.quote_name, PERSON))} "  # noqa: S608  (column names of the model)
            "FROM {table} WHERE id {any}",
            Customer,
            ids,
        )
    }
    for customer_id, address in select(
        "SELECT customer_id, address FROM {table} WHERE customer_id {any}", EmailAddress, ids
    ):
        states[customer_id].emails.add(address.casefold())
    for customer_id, number in select(
        "SELECT customer_id, number FROM {table} WHERE customer_id {any}", PhoneNumber, ids
    ):
        states[customer_id].phones.add(number)
    for customer_id, text in select(
        "SELECT customer_id, text FROM {table} WHERE customer_id {any}", Fact, ids
    ):
        states[customer_id].facts.add(text)
    for customer_id, month, day, year in select(
        "SELECT customer_id, month, day, year FROM {table} WHERE kind = %s "
        "AND customer_id {any} ORDER BY month, day, id",  # the first is the one kept
        KeyDate,
        ids,
        KeyDateKind.WEDDING.value,
    ):
        states[customer_id].weddings.append((month, day, year))
    return states
