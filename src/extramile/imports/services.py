"""Importing a contact file into one owner's book: the steps shared by ``extramile import`` and the
Import page.

``open_source`` tells CSV from vCard and finds the column layout (Google, Outlook, our export, a
saved mapping or one given); ``run_import`` streams the records in batches of ``BATCH``, checked
by ``checking`` (in a second process for a big file), matches and merges them (``merge``) and
writes each batch (``writing``: multi-row INSERTs on SQLite, COPY on PostgreSQL).
All of it runs in one transaction: a dry run, or a file with any invalid row (unless
``skip_invalid``), is rolled back at the end, so nothing is half-written and the report is exactly
what the real import does.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max, Model

from extramile.accounts.models import Company, User
from extramile.book.models import (
    Customer,
    EmailAddress,
    Fact,
    FactCategory,
    KeyDate,
    KeyDateKind,
    PhoneNumber,
)
from extramile.imports import checking, columns, readers, writing
from extramile.imports.columns import Layout
from extramile.imports.merge import (
    PERSON,
    Change,
    Matches,
    State,
    load_states,
    merge,
    new_state,
)
from extramile.imports.models import ColumnMapping
from extramile.imports.readers import RawContact
from extramile.imports.validate import Contact, Problem
from extramile.spreadsheet import safe_cell

BATCH = 500
KEEP_PROBLEMS = 1000  # in the report; the CLI prints every one as it is found
KEEP_MERGES = 500


class NeedsMapping(Exception):
    """A CSV file whose headers we do not know: the mapping step (or ``--mapping``) is needed."""

    def __init__(self, headers: list[str]) -> None:
        self.headers = headers
        self.suggestions = columns.suggest(headers)
        super().__init__(
            "The columns of this file are not ones we recognise ("
            + ", ".join(h for h in headers if h.strip())
            + "): give a mapping."
        )


@dataclass
class Source:
    path: Path
    kind: str  # csv / vcard
    format_name: str
    headers: list[str] = field(default_factory=list)
    delimiter: str = ","
    layout: Layout | None = None
    encoding: str = ""
    bytes_read: int = 0

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    def records(self) -> Iterator[RawContact]:
        text, counter, self.encoding = readers.open_text(self.path)
        with text:
            records = (
                readers.vcard_records(text)
                if self.kind == "vcard"
                else readers.csv_records(text, self.delimiter, self.layout)  # type: ignore[arg-type]
            )
            for record in records:
                self.bytes_read = counter.count
                yield record
            self.bytes_read = counter.count


def open_source(
    path: Path, mapping: dict[str, str] | None = None, mapping_name: str = ""
) -> Source:
    """What the file is and how to read it. Raises ValidationError for a file we cannot read and
    NeedsMapping for a CSV whose headers are unknown and have no saved mapping."""
    if not path.is_file():
        raise ValidationError(f"There is no file {path}.")
    if path.stat().st_size == 0:
        raise ValidationError("The file is empty.")
    if readers.is_vcard(path):
        return Source(path, "vcard", "vCard", encoding=readers.detect_encoding(path))
    headers, delimiter = readers.read_header(path)
    encoding = readers.detect_encoding(path)
    layout = (
        columns.layout_from(mapping, headers, mapping_name)
        if mapping is not None
        else saved_layout(headers) or columns.recognise(headers)
    )
    if layout is None:
        raise NeedsMapping(headers)
    return Source(path, "csv", layout.name, headers, delimiter, layout, encoding)


def saved_layout(headers: list[str]) -> Layout | None:
    saved = saved_mapping_for(headers)
    return columns.layout_from(saved.columns, headers, saved.name) if saved else None


def saved_mapping_for(headers: list[str]) -> ColumnMapping | None:
    return ColumnMapping.objects.filter(headers_key=columns.headers_key(headers)).first()


def save_mapping(
    name: str, headers: list[str], mapping: dict[str, str], user: User | None, now: dt.datetime
) -> ColumnMapping:
    """Save (or replace) a mapping by name, after checking it fits the headers."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Give the mapping a name.")
    if len(name) > 100:
        raise ValidationError("A mapping's name fits in 100 characters.")
    columns.layout_from(mapping, headers, name)
    saved, _ = ColumnMapping.objects.update_or_create(
        name=name,
        defaults={
            "headers_key": columns.headers_key(headers),
            "headers": headers,
            "columns": mapping,
            "created_by": user,
            "created_at": now,
        },
    )
    return saved


def check_owner(importer: User, owner: User) -> None:
    """A rep imports into their own book; a manager or admin into a book they can see."""
    if not owner.is_active:
        raise ValidationError(f"{owner.username} is not an active user.")
    if not User.objects.visible_to(importer).active().filter(pk=owner.pk).exists():
        raise PermissionDenied(f"{importer.username} may not import into {owner.username}'s book.")


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as raw:
        while chunk := raw.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class MergeNote:
    unit: str
    number: int
    customer_id: int | None
    customer: str
    duplicate: bool
    changes: list[str]


@dataclass
class Report:
    kind: str = "csv"
    format_name: str = ""
    rows: int = 0
    new: int = 0
    merged: int = 0
    unchanged: int = 0
    duplicates: int = 0
    invalid: int = 0
    conflicts: int = 0
    problems: list[Problem] = field(default_factory=list)
    merges: list[MergeNote] = field(default_factory=list)
    written: bool = False
    dry_run: bool = False
    rejects_path: str = ""

    def summary(self) -> str:
        parts = [
            f"{self.rows:,} records read",
            f"{self.new:,} new",
            f"{self.merged:,} merged into existing customers",
            f"{self.unchanged:,} unchanged",
        ]
        if self.duplicates:
            parts.append(f"{self.duplicates:,} duplicate rows merged into an earlier one")
        if self.conflicts:
            parts.append(f"{self.conflicts:,} conflicting values kept as they were")
        if self.invalid:
            parts.append(f"{self.invalid:,} with problems")
        return ", ".join(parts) + "."

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        report = cls(**{k: v for k, v in data.items() if k not in ("problems", "merges")})
        report.problems = [Problem(**p) for p in data.get("problems", [])]
        report.merges = [MergeNote(**m) for m in data.get("merges", [])]
        return report


class Rejects:
    """The rejected rows as they were, plus a ``problem`` column; every cell spreadsheet-safe."""

    def __init__(self, path: Path, source: Source) -> None:
        self.path = path
        self.source = source
        self.handle: TextIO | None = None
        self.writer: Any = None

    def write(self, raw: RawContact, problems: list[Problem]) -> None:
        if self.writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = self.path.open("w", encoding="utf-8-sig", newline="")
            self.writer = csv.writer(self.handle)
            header = (
                [*self.source.headers, "problem"]
                if self.source.kind == "csv"
                else ["line", "card", "problem"]
            )
            self.writer.writerow([safe_cell(h) for h in header])
        text = "; ".join(str(p) for p in problems)
        if isinstance(raw.cells, list):
            cells = [*raw.cells, *[""] * (len(self.source.headers) - len(raw.cells)), text]
        else:
            cells = [str(raw.number), raw.cells, text]
        self.writer.writerow([safe_cell(cell) for cell in cells])

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


def rejects_path_for(path: Path) -> Path:
    """Next to the input (``contacts.rejects.csv``), else under the data directory."""
    beside = path.with_name(f"{path.stem}.rejects.csv")
    try:
        beside.touch()
        beside.unlink()
        return beside
    except OSError:
        return Path(settings.DATA_DIR) / "imports" / beside.name


class _RollBack(Exception):
    pass


@dataclass
class _Run:
    owner_id: int
    region: str
    first_new_id: int
    now: dt.datetime
    report: Report
    on_problem: Callable[[Problem], None] | None
    rejects: Rejects | None
    written: int = 0  # customers created so far
    analysed_at: int = -1


def run_import(
    source: Source,
    owner: User,
    *,
    now: dt.datetime,
    dry_run: bool = False,
    skip_invalid: bool = False,
    rejects_path: Path | None = None,
    on_problem: Callable[[Problem], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH,
    parallel: bool | None = None,
) -> Report:
    """Import ``source`` into ``owner``'s book (the caller checked who may: ``check_owner``).
    ``parallel``: read and check the file in a second process (``checking``; by default for
    a big file)."""
    report = Report(kind=source.kind, format_name=source.format_name, dry_run=dry_run)
    rejects = (
        Rejects(rejects_path or rejects_path_for(source.path), source)
        if skip_invalid and not dry_run
        else None
    )
    run = _Run(
        owner_id=owner.pk,
        region=Company.get().country,
        first_new_id=Customer.objects.aggregate(top=Max("id"))["top"] or 0,
        now=now,
        report=report,
        on_problem=on_problem,
        rejects=rejects,
    )
    try:
        with transaction.atomic():
            refresh_statistics(run)
            for batch in checking.checked(source, run.region, batch_size, parallel):
                process(run, batch.records)
                batch.records.clear()  # not kept while the next batch arrives
                source.bytes_read = batch.bytes_read
                if on_progress:
                    on_progress(source.bytes_read)
            if dry_run or (report.invalid and not skip_invalid):
                raise _RollBack
            report.written = True
    except _RollBack:
        report.written = False
    finally:
        if rejects is not None:
            rejects.close()
    if rejects is not None and rejects.handle is not None and report.written:
        report.rejects_path = str(rejects.path)
    return report


def process(run: _Run, batch: list[checking.Checked]) -> None:
    """Report the problems, then match, merge and write one batch of checked records."""
    report = run.report
    valid: list[tuple[RawContact, Contact]] = []
    for raw, contact, problems in batch:
        report.rows += 1
        if contact is None:
            report.invalid += 1
            for problem in problems:
                if len(report.problems) < KEEP_PROBLEMS:
                    report.problems.append(problem)
                if run.on_problem:
                    run.on_problem(problem)
            if run.rejects is not None:
                run.rejects.write(raw, problems)
            continue
        valid.append((raw, contact))
    matches = Matches(run.owner_id, (contact for _, contact in valid))
    states = load_states(
        {found for _, contact in valid if (found := matches.find(contact)) is not None}
    )
    local: dict[tuple[Any, ...], State] = {}
    touched: list[State] = []
    seen: set[int] = set()
    for raw, contact in valid:
        state = find_local(local, contact)
        if state is None and (found := matches.find(contact)) is not None:
            state = states[found]
        if state is None:
            state = new_state(contact)
            report.new += 1
        else:
            note(run, raw, state, merge(state, contact))
        if id(state) not in seen:
            seen.add(id(state))
            touched.append(state)
        remember(local, state, contact)
    write(run, touched)
    run.written += sum(
        1 for state in touched if state.customer.pk and state.customer.pk > run.first_new_id
    )
    refresh_statistics(run)


def refresh_statistics(run: _Run) -> None:
    """PostgreSQL plans the matching queries from table statistics, which know nothing of the
    rows this import has written so far (autovacuum cannot see them before the commit): a book
    that looks empty gets a sequential scan of the e-mails and a hash join over the owner's whole
    book for every batch, each slower than the last. So, on PostgreSQL only: sequential scans
    are off for the import's transaction (every lookup is a few hundred keys on an indexed
    column), and ``ANALYZE`` of the customers, e-mails and phones — which inside the transaction
    does see its rows — runs at the start and whenever the rows written have grown fourfold (7
    times for a million rows: the plans need only the sizes' order of magnitude)."""
    if connection.vendor != "postgresql":
        return
    if run.analysed_at >= 0 and run.written < max(4 * run.analysed_at, 1000):
        return
    with connection.cursor() as cursor:
        if run.analysed_at < 0:
            # The lookups are a few hundred keys against indexed columns: a sequential scan of
            # a growing table per batch is never the better plan. Until the transaction ends.
            cursor.execute("SET LOCAL enable_seqscan = off")
        # Each table a batch is matched against: without them the phone lookup reads the
        # whole (customer, number) index instead of seeking in the number index.
        tables = (Customer, EmailAddress, PhoneNumber)
        cursor.execute(
            "ANALYZE " + ", ".join(connection.ops.quote_name(m._meta.db_table) for m in tables)
        )
    run.analysed_at = run.written


def find_local(local: dict[tuple[Any, ...], State], contact: Contact) -> State | None:
    for key in keys_of(contact):
        if key in local:
            return local[key]
    return None


def keys_of(contact: Contact) -> list[tuple[Any, ...]]:
    keys: list[tuple[Any, ...]] = [("e", address.casefold()) for address, _ in contact.emails]
    keys += [("p", number) for number, _ in contact.phones]
    if name := contact.name_key:
        keys.append(("n", *name))
    return keys


def remember(local: dict[tuple[Any, ...], State], state: State, contact: Contact) -> None:
    for key in keys_of(contact):
        local.setdefault(key, state)


def note(run: _Run, raw: RawContact, state: State, changes: list[Change]) -> None:
    report = run.report
    pk = state.customer.pk
    duplicate = pk is None or pk > run.first_new_id
    conflicts = [c for c in changes if c.kind == "conflict"]
    report.conflicts += len(conflicts)
    if duplicate:
        report.duplicates += 1
    elif len(conflicts) < len(changes):
        report.merged += 1
    else:
        report.unchanged += 1
    if changes and len(report.merges) < KEEP_MERGES:
        report.merges.append(
            MergeNote(
                unit=raw.unit,
                number=raw.number,
                customer_id=pk,
                customer=state.customer.full_name if not state.is_new else display(state),
                duplicate=duplicate,
                changes=[str(change) for change in changes],
            )
        )


def display(state: State) -> str:
    c = state.customer
    return " ".join(p for p in (c.first_name, c.last_name) if p) or c.company_name


def write(run: _Run, states: list[State]) -> None:
    """One batch to the database: new customers, then everything that hangs off them, then the
    fields filled in on existing customers (``updated_at`` moves only for those)."""
    created = [s for s in states if s.is_new]
    changed = [s for s in states if not s.is_new and s.touched]
    ids = writing.insert(
        Customer,
        ["owner_id", *PERSON],
        [(run.owner_id, *s.customer.values()) for s in created],
        run.now,
        returning=True,
    )
    for state, pk in zip(created, ids, strict=True):
        state.customer.pk = pk
    children: list[tuple[type[Model], list[str], list[tuple[Any, ...]]]] = [
        (
            EmailAddress,
            ["customer_id", "address", "label", "is_primary"],
            [(s.customer.pk, *row) for s in states for row in s.new_emails],
        ),
        (
            PhoneNumber,
            ["customer_id", "number", "label", "is_primary"],
            [(s.customer.pk, *row) for s in states for row in s.new_phones],
        ),
        (
            Fact,
            ["customer_id", "text", "tags", "category"],
            [
                (s.customer.pk, *row, FactCategory.OTHER.value)
                for s in states
                for row in s.new_facts
            ],
        ),
        (
            KeyDate,
            ["customer_id", "kind", "month", "day", "year"],
            [(s.customer.pk, KeyDateKind.WEDDING.value, *d) for s in states for d in s.new_dates],
        ),
    ]
    for model, names, rows in children:
        writing.insert(model, names, rows, run.now)
    for state in changed:
        values = {name: getattr(state.customer, name) for name in state.dirty}
        Customer.objects.filter(pk=int(state.customer.pk or 0)).update(**values, updated_at=run.now)
