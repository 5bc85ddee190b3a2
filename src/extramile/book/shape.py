"""The customer's shape, declared once: the fields a person edits, and the columns of the book as
a file.

``EDITABLE`` is what the customer form and the API's customer bodies accept (in the form's
order); ``COLUMNS`` is the CSV export's columns in order, each with the importer's reading of
it (``imports_as``, a column spec of ``imports.columns``, "skip" when an import leaves it alone)
and whether an import brings it back unchanged (``round_trips``). The CSV writer takes its header
row from here and the importer recognises our own export's headers from here, so a column added
here is written and read back, and the round-trip test (tests/exports/test_round_trip.py) holds
every ``round_trips`` column to export → import → export being identical.
"""

from __future__ import annotations

from dataclasses import dataclass

# What a person may change on a customer: the form's fields and the API's writable ones.
EDITABLE = (
    "first_name",
    "last_name",
    "preferred_name",
    "company_name",
    "status",
    "tier",
    "birth_month",
    "birth_day",
    "birth_year",
    "street",
    "city",
    "region",
    "postal_code",
    "country",
    "language",
    "time_zone",
    "customer_since",
    "do_not_call",
    "do_not_email",
    "do_not_mail",
    "do_not_text",
    "notes",
)
# What the API shows and nobody writes.
READ_ONLY = ("last_contact_at", "created_at", "updated_at")


@dataclass(frozen=True)
class Column:
    header: str
    fields: tuple[str, ...]  # the customer's fields it carries (EDITABLE names); () for others
    imports_as: str = "skip"
    round_trips: bool = False


COLUMNS = (
    Column("First Name", ("first_name",), "first_name", round_trips=True),
    Column("Last Name", ("last_name",), "last_name", round_trips=True),
    Column("Preferred Name", ("preferred_name",), "preferred_name", round_trips=True),
    Column("Company", ("company_name",), "company_name", round_trips=True),
    Column("E-mail", (), "email#1", round_trips=True),
    Column("E-mail Label", (), "email_label#1", round_trips=True),
    Column("Other E-mails", (), "email#2", round_trips=True),
    Column("Phone", (), "phone#1", round_trips=True),
    Column("Phone Label", (), "phone_label#1", round_trips=True),
    Column("Other Phones", (), "phone#2", round_trips=True),
    Column("Street", ("street",), "street", round_trips=True),
    Column("City", ("city",), "city", round_trips=True),
    Column("Region", ("region",), "region", round_trips=True),
    Column("Postal Code", ("postal_code",), "postal_code", round_trips=True),
    Column("Country", ("country",), "country", round_trips=True),
    Column("Household", ()),
    Column("Birthday", ("birth_month", "birth_day", "birth_year"), "birthday", round_trips=True),
    Column("Anniversary", (), "anniversary", round_trips=True),
    # The import sets none of these: a new customer starts as the importing book's defaults.
    Column("Status", ("status",)),
    Column("Tier", ("tier",)),
    Column("Owner", ()),
    Column("Language", ("language",)),
    Column("Time Zone", ("time_zone",)),
    Column("Customer Since", ("customer_since",)),
    Column("Do Not Call", ("do_not_call",)),
    Column("Do Not E-mail", ("do_not_email",)),
    Column("Do Not Mail", ("do_not_mail",)),
    Column("Do Not Text", ("do_not_text",)),
    # An imported note becomes a dated fact about the person, not the customer's notes field.
    Column("Notes", ("notes",), "notes"),
    Column("ID", ()),
)

HEADERS = [column.header for column in COLUMNS]
