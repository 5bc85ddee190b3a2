"""Reading contact files one record at a time: CSV (any common delimiter and encoding) and vCard
2.1 / 3.0 / 4.0. Nothing here loads a whole file: records are yielded as they are read, so a file
of a million rows costs the memory of one.

Each record is a ``RawContact``: the values as the file has them, where it came from (row or line)
and the original cells, for the rejects file. Checking and normalising is ``validate.py``'s job.
"""

from __future__ import annotations

import codecs
import csv
import io
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.core.exceptions import ValidationError

from extramile.imports.columns import Layout, Spec
from extramile.spreadsheet import FORMULA_STARTS

csv.field_size_limit(10 * 1024 * 1024)  # a long note is fine; a runaway quote is still caught
DELIMITERS = ",;\t|"
SCAN_CHUNK = 1024 * 1024
EMAIL_SEPARATORS = re.compile(r":::|[;,]")
PHONE_SEPARATORS = re.compile(r":::|;")


@dataclass
class RawContact:
    number: int  # the row (CSV, header = row 1) or the line a card begins on (vCard)
    unit: str  # "row" or "line"
    first_name: str = ""
    last_name: str = ""
    full_name: str = ""
    preferred_name: str = ""
    company_name: str = ""
    emails: list[tuple[str, str]] = field(default_factory=list)  # (value, label)
    phones: list[tuple[str, str]] = field(default_factory=list)
    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    birthday: str = ""
    anniversary: str = ""
    notes: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)  # vCard: the line of each property
    problems: list[tuple[str, str, int]] = field(default_factory=list)  # (field, message, line)
    cells: list[str] | str = ""  # the row as it was (CSV) or the card's text (vCard)

    def where(self, field_name: str = "") -> tuple[str, int]:
        """("row", 12) or ("line", 40): where a person finds this value in their file."""
        return self.unit, self.lines.get(field_name, self.number)


class CountingReader(io.RawIOBase):
    """A binary file that counts the bytes read from it (for the progress bar)."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)

    def close(self) -> None:
        self.raw.close()
        super().close()


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without a BOM), UTF-16 with a BOM (Excel's "Unicode text"), else
    Windows-1252, else Latin-1. Checked over the whole file in chunks, so a stray accented
    byte on row 900,000 is found without holding the file in memory."""
    with path.open("rb") as raw:
        head = raw.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        raw.seek(0)
        candidates = {name: codecs.getincrementaldecoder(name)() for name in ("utf-8", "cp1252")}
        while chunk := raw.read(SCAN_CHUNK):
            for name, decoder in list(candidates.items()):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    del candidates[name]
            if not candidates:
                return "latin-1"
        for name, decoder in candidates.items():
            try:
                decoder.decode(b"", final=True)
                return name
            except UnicodeDecodeError:
                continue
        return "latin-1"


def open_text(path: Path) -> tuple[io.TextIOWrapper, CountingReader, str]:
    encoding = detect_encoding(path)
    counter = CountingReader(path.open("rb"))
    text = io.TextIOWrapper(
        io.BufferedReader(counter, buffer_size=256 * 1024), encoding=encoding, newline=""
    )
    return text, counter, encoding


def is_vcard(path: Path) -> bool:
    encoding = detect_encoding(path)
    with path.open("r", encoding=encoding, errors="replace", newline="") as text:
        start = text.read(4096).lstrip("\ufeff \t\r\n")
    return start[:11].upper() == "BEGIN:VCARD"


def sniff_delimiter(line: str) -> str:
    """The delimiter of a header line: whichever of , ; tab | occurs most outside quotes."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_header(path: Path) -> tuple[list[str], str]:
    """The header row (the first row with any text) and the delimiter of a CSV file."""
    encoding = detect_encoding(path)
    with path.open("r", encoding=encoding, newline="") as text:
        first = next((line for line in text if line.strip()), "")
        if not first.strip():
            raise ValidationError("The file is empty: no header row.")
        delimiter = sniff_delimiter(first)
        text.seek(0)
        try:
            for row in csv.reader(text, delimiter=delimiter):
                if any(cell.strip() for cell in row):
                    return [cell.strip().lstrip("\ufeff") for cell in row], delimiter
        except csv.Error as error:
            raise ValidationError(f"The header row cannot be read: {error}.") from None
    raise ValidationError("The file is empty: no header row.")


def split_multi(value: str) -> list[str]:
    """Google puts several values in one cell as ``a ::: b``."""
    return [part.strip() for part in value.split(":::") if part.strip()]


def csv_records(text: io.TextIOBase, delimiter: str, layout: Layout) -> Iterator[RawContact]:
    reader = csv.reader(text, delimiter=delimiter)
    header_seen = False
    number = 0
    width = len(layout.specs)
    try:
        for row in reader:
            number += 1
            if not any(cell.strip() for cell in row):
                continue  # empty rows are ignored (and still counted, as a spreadsheet does)
            if not header_seen:
                header_seen = True
                continue
            yield contact_from_row(row, number, layout.specs, width)
    except csv.Error as error:
        raise ValidationError(f"Row {number + 1}: the CSV cannot be read ({error}).") from None


def contact_from_row(
    row: list[str], number: int, specs: tuple[Spec | None, ...], width: int
) -> RawContact:
    raw = RawContact(number=number, unit="row", cells=row)
    if len(row) > width and any(cell.strip() for cell in row[width:]):
        raw.problems.append(
            ("row", f"has {len(row)} cells but the header has {width} columns", number)
        )
    labels: dict[tuple[str, int], str] = {}
    slotted: dict[tuple[str, int], list[tuple[str, str]]] = {}
    addresses: dict[int, dict[str, str]] = {}
    events: dict[int, str] = {}
    for spec, cell in zip(specs, row, strict=False):
        value = cell.strip()
        if value[:1] == "'" and value[1:2] in FORMULA_STARTS:
            value = value[1:]  # a cell a spreadsheet-safe export neutralised: =, +, -, @
        if spec is None or not value:
            continue
        name = spec.field
        if name in ("email_label", "phone_label"):
            labels[(name[:5], spec.slot)] = value.lstrip("* ").casefold()
        elif name == "event_label":
            labels[("event", spec.slot)] = value.casefold()
        elif name == "event":
            events[spec.slot] = value
        elif name in ("email", "phone"):
            # Several in one cell: Google's ``:::``, or ``;`` (and ``,`` between e-mails).
            separators = EMAIL_SEPARATORS if name == "email" else PHONE_SEPARATORS
            parts = separators.split(value) if separators.search(value) else [value]
            for part in parts:
                if part.strip():
                    slotted.setdefault((name, spec.slot), []).append((part.strip(), spec.label))
        elif name in ("street", "street_2", "city", "region", "postal_code", "country"):
            address = addresses.setdefault(spec.slot, {})
            address[name] = f"{address[name]}, {value}" if name in address else value
        elif name == "notes":
            raw.notes.append(value)
        elif name == "categories":
            raw.categories += [
                c.lstrip("* ").strip() for c in re.split(r":::|[;,]", value) if c.strip()
            ]
        elif not getattr(raw, name):
            setattr(raw, name, value)
    for (name, slot), values in sorted(slotted.items(), key=lambda item: item[0][1]):
        target = raw.emails if name == "email" else raw.phones
        target += [(value, label or labels.get((name, slot), "")) for value, label in values]
    for slot in sorted(addresses):
        address = addresses[slot]
        if any(address.values()):
            street = ", ".join(v for v in (address.get("street"), address.get("street_2")) if v)
            raw.street, raw.city = street, address.get("city", "")
            raw.region, raw.postal_code = address.get("region", ""), address.get("postal_code", "")
            raw.country = address.get("country", "")
            break
    for slot in sorted(events):
        label = labels.get(("event", slot), "")
        if "anniv" in label and not raw.anniversary:
            raw.anniversary = events[slot]
        elif "birth" in label and not raw.birthday:
            raw.birthday = events[slot]
    raw.categories = [c for c in raw.categories if c.casefold() not in {"mycontacts", "starred"}]
    return raw


# vCard ---------------------------------------------------------------------------------------

BINARY = {"PHOTO", "LOGO", "SOUND", "KEY"}
ANNIVERSARY = {"ANNIVERSARY", "X-ANNIVERSARY", "X-MS-ANNIVERSARY", "X-EVOLUTION-ANNIVERSARY"}
PHONE_LABELS = {"cell": "mobile", "mobile": "mobile", "home": "home", "work": "work"}
EMAIL_LABELS = {"home": "home", "work": "work", "other": "other"}


@dataclass
class Property:
    line: int
    group: str
    name: str
    params: dict[str, list[str]]
    value: str


def logical_lines(text: io.TextIOBase) -> Iterator[tuple[int, str]]:
    """Unfolded lines with the number of the physical line each starts on: a line starting with
    a space or tab continues the one before (RFC 6350), and a quoted-printable value ending in
    ``=`` continues on the next line (vCard 2.1, as Android writes it)."""
    current: str | None = None
    start = 0
    qp_open = False
    for number, physical in enumerate(text, start=1):
        line = physical.rstrip("\r\n")
        if current is not None and qp_open:
            current = current[:-1] + line
            qp_open = line.endswith("=")
            continue
        if current is not None and line[:1] in (" ", "\t"):
            current += line[1:]
            continue
        if current is not None:
            yield start, current
        current, start = line, number
        head = line.split(":", 1)[0].upper()
        qp_open = "QUOTED-PRINTABLE" in head and line.endswith("=") and ":" in line
    if current is not None:
        yield start, current


def split_unescaped(text: str, separator: str) -> list[str]:
    parts, buffer, escaped = [], [], False
    for char in text:
        if escaped:
            buffer.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == separator:
            parts.append("".join(buffer))
            buffer = []
        else:
            buffer.append(char)
    parts.append("".join(buffer))
    return parts


def unescape(text: str) -> str:
    return re.sub(
        r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), text, flags=re.DOTALL
    )


def parse_property(number: int, line: str) -> Property | None:
    """``item1.TEL;TYPE=CELL,VOICE;PREF=1:+1 555…`` → Property; None for a line that is none."""
    quoted = False
    colon = -1
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            colon = index
            break
    if colon <= 0:
        return None
    head, value = line[:colon], line[colon + 1 :]
    parts = split_unescaped(head, ";")
    group, _, name = parts[0].rpartition(".")
    params: dict[str, list[str]] = {}
    for part in parts[1:]:
        key, has_value, val = part.partition("=")
        if has_value:
            values = [v.strip('"') for v in val.split(",")]
            params.setdefault(key.strip().upper(), []).extend(values)
        else:  # vCard 2.1: TEL;CELL;PREF
            params.setdefault("TYPE", []).append(key.strip())
    encoding = [e.upper() for e in params.get("ENCODING", [])]
    if "QUOTED-PRINTABLE" in encoding:
        charset = (params.get("CHARSET") or ["utf-8"])[0]
        decoded = quopri.decodestring(value.encode("utf-8"))
        try:
            value = decoded.decode(charset)
        except (LookupError, UnicodeDecodeError):
            value = decoded.decode("latin-1")
    return Property(number, group.upper(), name.strip().upper(), params, value)


def types_of(prop: Property) -> set[str]:
    return {t.casefold() for value in prop.params.get("TYPE", []) for t in value.split(",")}


def label_of(prop: Property, labels: dict[str, str]) -> str:
    return next((labels[t] for t in sorted(types_of(prop)) if t in labels), "")


def vcard_records(text: io.TextIOBase) -> Iterator[RawContact]:
    card: RawContact | None = None
    buffer: list[str] = []
    depth = 0
    ab_labels: dict[str, str] = {}
    ab_dates: list[Property] = []
    address_rank = 99
    for number, line in logical_lines(text):
        if card is not None:
            buffer.append(line)
        if not line.strip():
            continue
        prop = parse_property(number, line)
        if prop is None:
            continue  # a stray line (the tail of a photo, say): not a property, skipped
        if prop.name == "BEGIN" and prop.value.strip().upper() == "VCARD":
            if card is not None:
                depth += 1  # a card inside a card (2.1's AGENT): skipped
                continue
            card, buffer, ab_labels, ab_dates, address_rank = (
                RawContact(number=number, unit="line"),
                [line],
                {},
                [],
                99,
            )
            continue
        if card is None:
            continue
        if prop.name == "END" and prop.value.strip().upper() == "VCARD":
            if depth:
                depth -= 1
                continue
            for date in ab_dates:
                if "anniversary" in ab_labels.get(date.group, "") and not card.anniversary:
                    card.anniversary = date.value.strip()
                    card.lines["anniversary"] = date.line
            card.cells = "\n".join(buffer)
            yield card
            card = None
            continue
        if depth or prop.name in BINARY:
            continue
        address_rank = apply_property(card, prop, ab_labels, ab_dates, address_rank)
    if card is not None:
        card.problems.append(("card", "has no END:VCARD (the file ends inside it)", card.number))
        card.cells = "\n".join(buffer)
        yield card


def apply_property(
    card: RawContact,
    prop: Property,
    ab_labels: dict[str, str],
    ab_dates: list[Property],
    address_rank: int,
) -> int:
    name, value = prop.name, prop.value
    if name == "N":
        parts = [unescape(p).strip() for p in split_unescaped(value, ";")] + [""] * 5
        card.last_name, card.first_name = parts[0], parts[1]
        card.lines["first_name"] = card.lines["last_name"] = prop.line
    elif name == "FN":
        card.full_name = unescape(value).strip()
        card.lines["full_name"] = prop.line
    elif name == "NICKNAME":
        card.preferred_name = unescape(split_unescaped(value, ",")[0]).strip()
        card.lines["preferred_name"] = prop.line
    elif name == "ORG":
        card.company_name = unescape(split_unescaped(value, ";")[0]).strip()
        card.lines["company_name"] = prop.line
    elif name == "EMAIL" and value.strip():
        card.emails.append((unescape(value).strip(), label_of(prop, EMAIL_LABELS)))
        card.lines.setdefault(f"email:{len(card.emails) - 1}", prop.line)
    elif name == "TEL" and value.strip():
        number = unescape(value).strip()
        number = number[4:] if number.lower().startswith("tel:") else number
        card.phones.append((number, label_of(prop, PHONE_LABELS)))
        card.lines.setdefault(f"phone:{len(card.phones) - 1}", prop.line)
    elif name == "ADR":
        types = types_of(prop)
        rank = 0 if "pref" in types or prop.params.get("PREF") else 1 if "home" in types else 2
        if rank < address_rank:
            parts = [unescape(p).strip() for p in split_unescaped(value, ";")] + [""] * 7
            street = ", ".join(p for p in (parts[2], parts[1]) if p).replace("\n", ", ")
            if any((street, parts[3], parts[5])):
                card.street, card.city, card.region = street, parts[3], parts[4]
                card.postal_code, card.country = parts[5], parts[6]
                for key in ("street", "city", "region", "postal_code", "country"):
                    card.lines[key] = prop.line
                return rank
    elif name == "BDAY":
        card.birthday = value.strip()
        card.lines["birthday"] = prop.line
    elif name in ANNIVERSARY:
        card.anniversary = value.strip()
        card.lines["anniversary"] = prop.line
    elif name == "X-ABLABEL" and prop.group:
        ab_labels[prop.group] = value.casefold()
    elif name == "X-ABDATE" and prop.group:
        ab_dates.append(prop)
    elif name == "NOTE" and value.strip():
        card.notes.append(unescape(value).strip())
        card.lines["notes"] = prop.line
    elif name == "CATEGORIES":
        card.categories += [unescape(c).strip() for c in split_unescaped(value, ",") if c.strip()]
        card.lines["categories"] = prop.line
    return address_rank
