"""A big file is read and checked in a second process (``imports.checking``): the import is the
same as in one process, a problem in the file is reported the same way, and a reader that dies
leaves nothing half-written."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest
from django.core.exceptions import ValidationError

from extramile.book.models import Customer, EmailAddress, Fact, KeyDate, PhoneNumber
from extramile.imports import checking, services
from tests.imports.helpers import NOW, run, write
from tests.processes import EXTRAMILE, environment

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


# --- a killed importer takes its reader with it -----------------------------------------------


def gone(process: psutil.Process) -> bool:
    """Ended (a zombie waiting for whoever adopted it counts as ended: it runs nothing)."""
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def wait_until(condition, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.05)
    raise AssertionError(f"not within {seconds} s: {what}")


@pytest.mark.django_db(transaction=True)
def test_an_importer_killed_mid_import_takes_its_reader_process_with_it(tmp_path, owner):
    # As the report found it: the importer started without a terminal, in a session of its own,
    # killed with SIGKILL (nothing of it runs: no finally, no atexit) while its reader is reading.
    # Before the fix the reader stayed, blocked on a full queue nobody would ever read.
    path = write(tmp_path, "people.csv", HEADER + rows(60_000))
    assert checking.uses_reader(services.open_source(path))
    with open(tmp_path / "import.log", "wb") as log:
        importer = subprocess.Popen(
            [EXTRAMILE, "import", str(path), "--user", owner.username],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=environment(tmp_path),
            start_new_session=True,
        )
    children: list[psutil.Process] = []
    try:

        def reading() -> psutil.Process | None:
            for child in psutil.Process(importer.pid).children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    if any(f.path == str(path) for f in child.open_files()):
                        return child
            return None

        reader = wait_until(reading, "a reader process with the file open")
        children = psutil.Process(importer.pid).children(recursive=True)
        os.kill(importer.pid, signal.SIGKILL)
        importer.wait(timeout=30)
        wait_until(lambda: gone(reader), "the reader process gone", seconds=10)
        # Nothing else the importer started is left either (the resource tracker goes with it).
        wait_until(lambda: all(gone(child) for child in children), "every child gone", 10)
    finally:
        if importer.poll() is None:
            importer.kill()
        for child in children:  # only when the test failed: leave no process behind
            with contextlib.suppress(psutil.Error):
                child.kill()
    # And the import wrote nothing: it is one transaction.
    assert not Customer.objects.filter(owner=owner).exists()


ORPHAN_SCRIPT = """
import multiprocessing, sys, time
from extramile.imports.reader_process import watch_parent

def child():
    watch_parent()
    time.sleep(600)

if __name__ == "__main__":
    process = multiprocessing.get_context("spawn").Process(target=child)
    process.start()
    print(process.pid, flush=True)
    time.sleep(600)
"""


def test_without_the_kernel_s_help_the_reader_still_ends_with_its_parent(tmp_path):
    # The portable half alone (no prctl, as on macOS): the thread watching the parent's pipe.
    script = write(tmp_path, "orphan.py", ORPHAN_SCRIPT)
    parent = subprocess.Popen(
        [sys.executable, str(script)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    child = None
    try:
        assert parent.stdout is not None
        child = psutil.Process(int(parent.stdout.readline()))
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=30)
        wait_until(lambda: gone(child), "the child gone", seconds=10)
    finally:
        if parent.poll() is None:
            parent.kill()
        if child is not None:
            with contextlib.suppress(psutil.Error):
                child.kill()
