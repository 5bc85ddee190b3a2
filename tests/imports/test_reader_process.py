"""A big file is read and checked in a second process (``imports.checking``): the import is the
same as in one process, a problem in the file is reported the same way, and a reader that dies
leaves nothing half-written."""

from __future__ import annotations

import multiprocessing
import os
import signal

import pytest
from django.core.exceptions import ValidationError

from extramile.book.models import Customer, EmailAddress, Fact, KeyDate, PhoneNumber
from extramile.imports import checking, services
from tests.imports.helpers import NOW, run, write

pytestmark = pytest.mark.django_db

HEADER = "first_name,last_name,email,phone,postal_code,birthday,anniversary,notes\n"


def rows(count: int, start: int = 0, note: str = "") -> str:
    return "".join(
        f"Ann{n},Lee{n % 5},ann{n}@example.com,+1202555{n % 10_000:04d},{10_000 + n % 3},"
        f"--{1 + n % 12:02d}-{1 + n % 28:02d},{1990 + n % 9}-06-{1 + n % 28:02d},"
        f"{note or f'note {n % 4}'}\n"
        for n in range(start, start + count)
    )


def snapshot(owner):
    customers = Customer.objects.filter(owner=owner)
    return (
        sorted(customers.values_list("first_name", "last_name", "postal_code", "birth_day")),
        sorted(EmailAddress.objects.filter(customer__owner=owner).values_list("address")),
        sorted(PhoneNumber.objects.filter(customer__owner=owner).values_list("number")),
        sorted(Fact.objects.filter(customer__owner=owner).values_list("text")),
        KeyDate.objects.filter(customer__owner=owner).count(),
    )


def test_the_reader_process_imports_exactly_what_one_process_does(tmp_path, owner, colleague):
    # A bad row, and rows repeating earlier ones (from earlier batches) with a new note to
    # merge: every count, problem, merge and customer must be the same either way.
    text = (
        HEADER
        + rows(1_200)
        + "Bad,Date,bad@example.com,,1,1990-02-30,,\n"
        + rows(300, 100, note="asked about the spring catalogue")
    )
    path = write(tmp_path, "people.csv", text)
    one = run(path, owner, skip_invalid=True, parallel=False, batch_size=200)
    two = run(path, colleague, skip_invalid=True, parallel=True, batch_size=200)
    assert (one.rows, one.new, one.duplicates, one.invalid) == (1_501, 1_200, 300, 1)
    keep = ("rows", "new", "merged", "unchanged", "duplicates", "invalid", "conflicts")
    assert [getattr(two, k) for k in keep] == [getattr(one, k) for k in keep]
    assert two.problems == one.problems and len(one.merges) == 300
    assert [(m.number, m.changes) for m in two.merges] == [
        (m.number, m.changes) for m in one.merges
    ]
    assert snapshot(colleague) == snapshot(owner)
    # And again: the second time nothing changes, in either.
    again = run(path, colleague, skip_invalid=True, parallel=True, batch_size=200)
    assert (again.new, again.merged, again.unchanged) == (0, 0, 1_500)


def test_a_file_the_reader_cannot_read_is_reported_and_nothing_is_written(tmp_path, owner):
    # A quote that never closes, after a few full batches: the CSV module gives up after 10 MB.
    broken = HEADER + rows(700) + 'Ann,"Lee' + "x" * 10_500_000 + "\n"
    path = write(tmp_path, "broken.csv", broken)
    with pytest.raises(ValidationError, match="cannot be read"):
        run(path, owner, parallel=True, batch_size=200)
    assert not Customer.objects.filter(owner=owner).exists()


def test_a_reader_killed_mid_import_rolls_everything_back(tmp_path, owner):
    path = write(tmp_path, "people.csv", HEADER + rows(3_000))
    source = services.open_source(path)
    batches = []

    def kill_the_reader(bytes_read: int) -> None:
        batches.append(bytes_read)
        if len(batches) == 2:
            for child in multiprocessing.active_children():
                if child.name == "extramile-import-reader":
                    os.kill(child.pid, signal.SIGKILL)

    with pytest.raises(checking.ReaderFailed, match="stopped before the end"):
        services.run_import(
            source, owner, now=NOW, parallel=True, batch_size=100, on_progress=kill_the_reader
        )
    assert len(batches) >= 2
    assert not Customer.objects.filter(owner=owner).exists()


def test_a_small_file_is_read_in_this_process_and_a_big_one_in_a_second(tmp_path):
    small = write(tmp_path, "small.csv", HEADER + rows(10))
    big = write(tmp_path, "big.csv", HEADER + "x" * checking.PARALLEL_FROM_BYTES + "\n")
    assert not checking.uses_reader(services.open_source(small))
    assert checking.uses_reader(services.open_source(big))
