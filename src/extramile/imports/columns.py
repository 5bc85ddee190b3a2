"""Which column of a CSV file holds what: the fields we import, the headers of Google Contacts,
Outlook and our own export (recognised without asking), and mapping files for everything else.

A column's *spec* is ``field[:label][#slot]``: ``phone:mobile`` is a phone labelled mobile,
``email#2`` and ``email_label#2`` are Google's pair of columns for the second e-mail, and
``street#2`` is the second address (Outlook's business address). The first slot with any address
value is the customer's address.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError

from extramile.book import shape

# What a person may choose in the mapping step (and write in a mapping file).
FIELDS: dict[str, str] = {
    "skip": "(leave out)",
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Full name (split into first and last)",
    "preferred_name": "Preferred name / nickname",
    "company_name": "Company",
    "email": "E-mail",
    "email:home": "E-mail (home)",
    "email:work": "E-mail (work)",
    "phone": "Phone",
    "phone:mobile": "Phone (mobile)",
    "phone:home": "Phone (home)",
    "phone:work": "Phone (work)",
    "street": "Street",
    "street_2": "Street, second line",
    "city": "City",
    "region": "State / region",
    "postal_code": "Postal code",
    "country": "Country",
    "birthday": "Birthday",
    "anniversary": "Wedding anniversary",
    "notes": "Notes (a fact)",
    "categories": "Categories / tags (a fact)",
}

INTERNAL = {"email_label", "phone_label", "event", "event_label"}
BASE_FIELDS = {spec.split(":")[0] for spec in FIELDS} | INTERNAL
NAME_FIELDS = {"first_name", "last_name", "full_name", "company_name"}


@dataclass(frozen=True)
class Spec:
    field: str
    label: str = ""
    slot: int = 0

    @classmethod
    def parse(cls, text: str) -> Spec:
        body, _, slot = text.partition("#")
        field, _, label = body.partition(":")
        if field not in BASE_FIELDS or (slot and not slot.isdigit()):
            raise ValidationError(f"“{text}” is not a field we import.")
        return cls(field, label, int(slot or 0))


def normalise(header: str) -> str:
    """``"E-mail Address "`` → ``"emailaddress"``: how generic headers are compared."""
    return re.sub(r"[^0-9a-z]", "", header.casefold())


def headers_key(headers: list[str]) -> str:
    """The same digest for files whose header rows match (ignoring case and spacing)."""
    text = "\x1f".join(header.strip().casefold() for header in headers)
    return hashlib.sha256(text.encode()).hexdigest()


# Google Contacts, both the older export ("Given Name", "Family Name", "E-mail 1 - Type") and the
# current one ("First Name", "Last Name", "E-mail 1 - Label"). Numbered columns by pattern.
GOOGLE_SINGLE = {
    "Name": "full_name",
    "Given Name": "first_name",
    "First Name": "first_name",
    "Family Name": "last_name",
    "Last Name": "last_name",
    "Nickname": "preferred_name",
    "Organization Name": "company_name",
    "Birthday": "birthday",
    "Notes": "notes",
    "Group Membership": "categories",
    "Labels": "categories",
}
GOOGLE_NUMBERED = [
    (r"E-mail (\d+) - Value", "email"),
    (r"E-mail (\d+) - (?:Type|Label)", "email_label"),
    (r"Phone (\d+) - Value", "phone"),
    (r"Phone (\d+) - (?:Type|Label)", "phone_label"),
    (r"Address (\d+) - Street", "street"),
    (r"Address (\d+) - Extended Address", "street_2"),
    (r"Address (\d+) - City", "city"),
    (r"Address (\d+) - Region", "region"),
    (r"Address (\d+) - Postal Code", "postal_code"),
    (r"Address (\d+) - Country", "country"),
    (r"Event (\d+) - Value", "event"),
    (r"Event (\d+) - (?:Type|Label)", "event_label"),
]
GOOGLE_COMPANY = re.compile(r"Organization 1 - Name")
GOOGLE_SIGNATURE = re.compile(r"(E-mail|Phone) \d+ - Value")

# Outlook (desktop and Outlook.com): home address first, then business, then other.
OUTLOOK: dict[str, str] = {
    "First Name": "first_name",
    "Last Name": "last_name",
    "Nickname": "preferred_name",
    "Company": "company_name",
    "E-mail Address": "email#1",
    "E-mail 2 Address": "email#2",
    "E-mail 3 Address": "email#3",
    "Mobile Phone": "phone:mobile",
    "Primary Phone": "phone",
    "Home Phone": "phone:home",
    "Home Phone 2": "phone:home",
    "Business Phone": "phone:work",
    "Business Phone 2": "phone:work",
    "Company Main Phone": "phone:work",
    "Other Phone": "phone:other",
    "Car Phone": "phone:car",
    "Birthday": "birthday",
    "Anniversary": "anniversary",
    "Notes": "notes",
    "Categories": "categories",
}
for _slot, _prefix in ((1, "Home"), (2, "Business"), (3, "Other")):
    OUTLOOK |= {
        f"{_prefix} Street": f"street#{_slot}",
        f"{_prefix} Street 2": f"street_2#{_slot}",
        f"{_prefix} Street 3": f"street_2#{_slot}",
        f"{_prefix} City": f"city#{_slot}",
        f"{_prefix} State": f"region#{_slot}",
        f"{_prefix} Postal Code": f"postal_code#{_slot}",
        f"{_prefix} Country/Region": f"country#{_slot}",
    }
OUTLOOK_SIGNATURE = {"E-mail Address", "Home Street", "Business Street", "Mobile Phone"}

# Generic headers, compared after ``normalise``: our own export's and the usual spreadsheet ones.
SYNONYMS: dict[str, str] = {
    **dict.fromkeys(["firstname", "givenname", "forename", "first", "vorname"], "first_name"),
    **dict.fromkeys(["lastname", "surname", "familyname", "last", "nachname"], "last_name"),
    **dict.fromkeys(["name", "fullname", "displayname", "contactname", "contact"], "full_name"),
    **dict.fromkeys(["preferredname", "nickname", "preferred", "formofaddress"], "preferred_name"),
    **dict.fromkeys(
        ["company", "companyname", "organization", "organisation", "org", "firm"], "company_name"
    ),
    **dict.fromkeys(["email", "emailaddress", "mail", "email1", "emails"], "email#1"),
    **dict.fromkeys(["emaillabel", "emailtype"], "email_label#1"),
    **dict.fromkeys(["otheremails"], "email#2"),
    **dict.fromkeys(["phonelabel", "phonetype"], "phone_label#1"),
    **dict.fromkeys(["otherphones"], "phone#2"),
    **dict.fromkeys(["email2", "email3", "otheremail", "workemail"], "email"),
    **dict.fromkeys(["phone", "phonenumber", "telephone", "tel", "phones", "phone1"], "phone#1"),
    **dict.fromkeys(["mobile", "mobilephone", "cell", "cellphone", "mobilenumber"], "phone:mobile"),
    **dict.fromkeys(["homephone"], "phone:home"),
    **dict.fromkeys(["workphone", "businessphone", "officephone"], "phone:work"),
    **dict.fromkeys(["street", "streetaddress", "address", "address1", "addressline1"], "street"),
    **dict.fromkeys(["street2", "address2", "addressline2"], "street_2"),
    **dict.fromkeys(["city", "town", "locality"], "city"),
    **dict.fromkeys(["state", "region", "province", "county", "stateregion"], "region"),
    **dict.fromkeys(["zip", "zipcode", "postcode", "postalcode", "plz"], "postal_code"),
    **dict.fromkeys(["country", "countrycode"], "country"),
    **dict.fromkeys(["birthday", "dateofbirth", "dob", "birthdate", "born"], "birthday"),
    **dict.fromkeys(["anniversary", "weddinganniversary", "wedding"], "anniversary"),
    **dict.fromkeys(["notes", "note", "comments", "comment"], "notes"),
    **dict.fromkeys(["categories", "category", "tags", "groups", "labels"], "categories"),
    # The API's and the JSON export's read-only names, which an import leaves alone.
    **dict.fromkeys(
        ["created", "createdat", "updated", "updatedat", "lastcontact", "lastcontactat"], "skip"
    ),
    # Our own export's columns, read as the customer's shape declares (book/shape.py).
    **{normalise(column.header): column.imports_as for column in shape.COLUMNS},
}


@dataclass(frozen=True)
class Layout:
    """How to read a file's columns: one spec (or None to leave it out) per column."""

    name: str  # "Google Contacts", "Outlook", "ExtraMile / spreadsheet", a saved mapping's name
    specs: tuple[Spec | None, ...]


def google(headers: list[str]) -> Layout | None:
    if not any(GOOGLE_SIGNATURE.fullmatch(h.strip()) for h in headers):
        return None
    specs: list[Spec | None] = []
    for header in (h.strip() for h in headers):
        spec: Spec | None = None
        if header in GOOGLE_SINGLE:
            spec = Spec(GOOGLE_SINGLE[header])
        elif GOOGLE_COMPANY.fullmatch(header):
            spec = Spec("company_name")
        else:
            for pattern, field in GOOGLE_NUMBERED:
                match = re.fullmatch(pattern, header)
                if match:
                    spec = Spec(field, slot=int(match.group(1)))
                    break
        specs.append(spec)
    return Layout("Google Contacts", tuple(specs))


def outlook(headers: list[str]) -> Layout | None:
    stripped = [h.strip() for h in headers]
    if not (OUTLOOK_SIGNATURE & set(stripped)) or "First Name" not in stripped:
        return None
    return Layout(
        "Outlook", tuple(Spec.parse(OUTLOOK[h]) if h in OUTLOOK else None for h in stripped)
    )


def suggest(headers: list[str]) -> dict[str, str]:
    """A guess for each column (``skip`` when we cannot tell), to pre-fill the mapping step."""
    return {header: SYNONYMS.get(normalise(header), "skip") for header in headers}


def generic(headers: list[str]) -> Layout | None:
    """Recognised only when every column is one we know and a name column is among them."""
    guesses = [SYNONYMS.get(normalise(h)) for h in headers if h.strip()]
    if None in guesses or not NAME_FIELDS & {g.split(":")[0] for g in guesses if g}:
        return None
    columns = {h: SYNONYMS.get(normalise(h), "skip") for h in headers}
    return layout_from(columns, headers, "spreadsheet columns")


def recognise(headers: list[str]) -> Layout | None:
    """The layout of a file whose headers we know; None means the mapping step is needed."""
    return google(headers) or outlook(headers) or generic(headers)


def layout_from(columns: dict[str, str], headers: list[str], name: str) -> Layout:
    """A layout from a mapping {column header: field}; checks both sides and says what is wrong."""
    known = {h.strip().casefold(): h for h in headers}
    wanted: dict[str, Spec | None] = {}
    for header, field in columns.items():
        if header.strip().casefold() not in known:
            raise ValidationError(
                f"The mapping names a column “{header}” that the file does not have "
                f"(its columns: {', '.join(h for h in headers if h.strip())})."
            )
        field = (field or "skip").strip()
        if field not in FIELDS and field.split("#")[0].split(":")[0] not in BASE_FIELDS:
            raise ValidationError(
                f"Column “{header}”: “{field}” is not a field we import. "
                f"Choose one of: {', '.join(FIELDS)}."
            )
        wanted[header.strip().casefold()] = None if field == "skip" else Spec.parse(field)
    specs = tuple(wanted.get(h.strip().casefold()) for h in headers)
    if not NAME_FIELDS & {spec.field for spec in specs if spec}:
        raise ValidationError(
            "Map at least one column to a first name, last name, full name or company: "
            "every customer needs a name."
        )
    return Layout(name or "your mapping", specs)


def read_mapping_file(path: Path) -> dict[str, str]:
    """A mapping file: JSON or TOML, either ``{"columns": {header: field}}`` or the bare table."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise ValidationError(f"Cannot read the mapping file {path}: {error.strerror}.") from None
    except UnicodeDecodeError:
        raise ValidationError(f"The mapping file {path} is not UTF-8 text.") from None
    try:
        data = json.loads(text) if text.lstrip().startswith("{") else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as error:
        raise ValidationError(
            f"The mapping file {path} is neither JSON nor TOML: {error}."
        ) from None
    columns = data.get("columns", data) if isinstance(data, dict) else None
    if not isinstance(columns, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in columns.items()
    ):
        raise ValidationError(
            f'The mapping file {path} must map column headers to fields, e.g. {{"columns": '
            '{"Vorname": "first_name", "E-Mail": "email"}}.'
        )
    return columns
