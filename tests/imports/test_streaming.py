"""Large files stream: memory stays flat however long the file is (read row by row, written in
batches, duplicates looked up per batch)."""

from __future__ import annotations

import tracemalloc

import pytest

from extramile.book.models import Customer
from tests.imports.helpers import run

pytestmark = pytest.mark.django_db

NOTE = "Prefers calls in the morning; " * 60  # about 1.8 kB a row


def generate(path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("first_name,last_name,email,phone,street,city,postal_code,birthday,notes\n")
        for n in range(rows):
            out.write(
                f"First{n},Last{n % 977},person{n}@example.com,+1202{2_000_000 + n:07d},"
                f'{n} Main St,Springfield,{60000 + n % 999},--{1 + n % 12:02d}-{1 + n % 28:02d},"{NOTE}"\n'
            )


def peak_memory(path, owner, parallel) -> tuple[int, object]:
    tracemalloc.start()
    try:
        report = run(path, owner, dry_run=True, parallel=parallel)
        return tracemalloc.get_traced_memory()[1], report
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("parallel", [False, True], ids=["one process", "reader process"])
def test_memory_stays_flat_however_long_the_file(tmp_path, owner, parallel):
    warm_up = tmp_path / "tiny.csv"
    generate(warm_up, 10)
    run(warm_up, owner, dry_run=True)  # loads the phone metadata and the like, once per process
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    generate(small, 1_500)
    generate(large, 6_000)
    size = large.stat().st_size
    assert size > 10_000_000
    small_peak, _ = peak_memory(small, owner, parallel)
    large_peak, report = peak_memory(large, owner, parallel)
    assert report.new == 6_000 and report.invalid == 0
    # Four times the rows, the same memory: one batch's worth, never the file.
    assert large_peak < small_peak * 1.25, (small_peak, large_peak)
    assert large_peak < size / 2, f"peak {large_peak:,} bytes for a {size:,}-byte file"


@pytest.mark.parametrize("parallel", [False, True], ids=["one process", "reader process"])
def test_a_large_import_writes_every_row(tmp_path, owner, parallel):
    path = tmp_path / "rows.csv"
    generate(path, 2_345)  # several batches and a partial one
    report = run(path, owner, parallel=parallel)
    assert report.written and report.new == 2_345
    assert Customer.objects.filter(owner=owner).count() == 2_345
    assert Customer.objects.filter(owner=owner, emails__address="person2344@example.com").exists()
