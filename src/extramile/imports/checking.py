"""Reading and checking a file's records, in batches: in this process for a small file, in a
second process for a big one.

Reading a row and checking it (``validate``: names, dates, e-mail addresses, phone numbers in
E.164) is about half of an import's work, and needs no database. For a file of at least
``PARALLEL_FROM_BYTES`` a second process does it while this one matches, merges and writes the
batches before, so the two halves overlap on two cores (a 100,000-row import on PostgreSQL:
about a third less time). Threads would not do: both halves are Python, and the GIL lets one run
at a time (measured: slower than one thread).

The reader process is started with ``spawn`` (a fresh interpreter: nothing of this process's
threads, database connections or locks is copied into it). It sends each batch as it is ready,
at most ``AHEAD`` batches in front, so memory stays flat however big the file. An error in the
reader (a row the CSV module cannot read) is raised here at the batch where it happened; a
reader that dies without a word (killed) is an error too, so the import is rolled back rather
than cut short.
"""

from __future__ import annotations

import multiprocessing
import pickle
import queue
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from extramile.imports.reader_process import run
from extramile.imports.readers import RawContact
from extramile.imports.validate import Contact, Problem, validate
from extramile.imports.values import EmailChecker

if TYPE_CHECKING:
    from extramile.imports.services import Source

PARALLEL_FROM_BYTES = 2_000_000  # about 15,000 rows; below it a second process is not worth it
AHEAD = 3  # batches the reader may have ready and waiting

Checked = tuple[RawContact, Contact | None, list[Problem]]


@dataclass
class Batch:
    records: list[Checked]
    bytes_read: int  # of the file, when the batch was complete (for the progress bar)


def batches(source: Source, region: str, size: int) -> Iterator[Batch]:
    """The file's records, checked, ``size`` at a time. A valid record keeps only where it is
    in the file (all the import needs of it besides its ``Contact``); a rejected one keeps its
    cells, for the rejects file."""
    check_email = EmailChecker()
    records: list[Checked] = []
    for raw in source.records():
        contact, problems = validate(raw, region, check_email)
        if contact is not None:
            raw = RawContact(number=raw.number, unit=raw.unit)
        records.append((raw, contact, problems))
        if len(records) >= size:
            yield Batch(records, source.bytes_read)
            records = []
    yield Batch(records, source.bytes_read)


CONTACT_FIELDS = tuple(f.name for f in fields(Contact))

Packed = tuple[list[tuple[Any, ...]], int]


def pack(batch: Batch) -> Packed:
    """A batch as the reader sends it: plain tuples, which unpickle about ten times faster than
    the dataclasses (measured: 0.4 s of the importing process's time per 20,000 rows)."""
    return [
        (raw.number, raw.unit, tuple(getattr(contact, name) for name in CONTACT_FIELDS))
        if contact is not None
        else (raw, problems)
        for raw, contact, problems in batch.records
    ], batch.bytes_read


def unpack(packed: Packed) -> Batch:
    records: list[Checked] = []
    for item in packed[0]:
        if len(item) == 3:
            number, unit, values = item
            records.append((RawContact(number=number, unit=unit), Contact(*values), []))
        else:
            raw, problems = item
            records.append((raw, None, problems))
    return Batch(records, packed[1])


def checked(
    source: Source, region: str, size: int, parallel: bool | None = None
) -> Iterator[Batch]:
    """``batches``, from a second process when ``parallel`` (by default: for a big file)."""
    if parallel is None:
        parallel = uses_reader(source)
    return from_reader(source, region, size) if parallel else batches(source, region, size)


def uses_reader(source: Source) -> bool:
    return source.size >= PARALLEL_FROM_BYTES


class ReaderFailed(RuntimeError):
    """The reader process ended without finishing the file."""


END = "end"


def from_reader(source: Source, region: str, size: int) -> Iterator[Batch]:
    context = multiprocessing.get_context("spawn")
    ready: Any = context.Queue(maxsize=AHEAD)
    work = pickle.dumps((source, region, size))
    reader = context.Process(target=run, args=(work, ready), name="extramile-import-reader")
    reader.daemon = True
    reader.start()
    try:
        while True:
            try:
                item = ready.get(timeout=1)
            except queue.Empty:
                if not reader.is_alive():
                    raise ReaderFailed(
                        "The process reading the file stopped before the end of it "
                        f"(exit code {reader.exitcode}); nothing was imported."
                    ) from None
                continue
            if isinstance(item, BaseException):
                raise item
            if item == END:
                return
            yield unpack(item)
    finally:
        if reader.is_alive():
            reader.terminate()
        reader.join()
        ready.close()
        ready.join_thread()
