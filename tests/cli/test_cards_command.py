"""`extramile cards`: plan a mail-by range, list it, and write its print files."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from extramile.cards.models import Card, CardStatus
from tests.conftest import make_customer

pytestmark = pytest.mark.django_db

ADDRESS = {"street": "12 Elm Street", "city": "Springfield", "region": "IL", "postal_code": "62704"}
RANGE = ["--from", "2026-12-01", "--to", "2026-12-07"]


def call(*args: str) -> str:
    out = io.StringIO()
    call_command("cards", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def book(owner, outsider):
    make_customer(owner, "Anna", "Smith", birth_month=12, birth_day=10, **ADDRESS)
    make_customer(owner, '=HYPERLINK("x")', "Jones", birth_month=12, birth_day=11, **ADDRESS)
    make_customer(owner, "Cara", "Nowhere", birth_month=12, birth_day=11)
    make_customer(outsider, "Xena", "Outis", birth_month=12, birth_day=10, **ADDRESS)


def write_all(**extra) -> None:
    Card.objects.update(
        status=CardStatus.WRITTEN,
        message="Dear friend,\n\nI hope the sailing season was kind to you.",
        **extra,
    )


def test_plans_the_range_and_says_what_needs_doing(book):
    out = call(*RANGE)
    assert out.splitlines()[0] == (
        "Cards to mail 2026-12-01 – 2026-12-07: 4 (4 newly planned); "
        "4 planned, 0 written, 0 mailed, 0 skipped"
    )
    assert "1 need an address: Cara Nowhere" in out
    assert "(0 newly planned)" in call(*RANGE)  # idempotent


def test_writes_the_print_files_of_one_users_written_cards(book, owner, tmp_path):
    call(*RANGE)
    write_all()
    files = {kind: tmp_path / f"{kind}.out" for kind in ("pdf", "envelopes", "labels", "csv")}
    out = call(
        *RANGE, "--user", owner.username, *[a for k, p in files.items() for a in (f"--{k}", str(p))]
    )
    assert "Wrote" in out
    cards = PdfReader(files["pdf"])
    assert len(cards.pages) == 3  # Anna, the formula-named Jones, Cara: Xena is someone else's
    assert "sailing season" in cards.pages[0].extract_text()
    envelopes = PdfReader(files["envelopes"])
    assert len(envelopes.pages) == 2  # Cara has no address
    labels = "".join(p.extract_text() for p in PdfReader(files["labels"]).pages)
    assert "Anna Smith" in labels and "Springfield" in labels and "Xena" not in labels
    rows = list(csv.reader(io.StringIO(files["csv"].read_text("utf-8-sig"))))
    recipients = [row[1] for row in rows[1:]]
    assert "Anna Smith" in recipients
    # A spreadsheet opening the file shows the name, it does not run it.
    assert '\'=HYPERLINK("x") Jones' in recipients


def test_handwritten_cards_print_only_envelopes(book, tmp_path):
    call(*RANGE)
    write_all(handwritten=True)
    with pytest.raises(CommandError, match="No written cards to print"):
        call(*RANGE, "--pdf", str(tmp_path / "cards.pdf"))
    assert not (tmp_path / "cards.pdf").exists()
    call(*RANGE, "--envelopes", str(tmp_path / "env.pdf"), "--envelope", "c6")
    page = PdfReader(tmp_path / "env.pdf").pages[0]
    assert round(float(page.mediabox.width)) == 459  # C6 is 162 mm wide


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-02-30", "--to", "2026-03-01"], "is not a date"),
        (["--from", "2026-12-07", "--to", "2026-12-01"], "--to is before --from"),
        ([*RANGE, "--pdf", "/x.pdf", "--paper", "a3"], "Unknown paper"),
        ([*RANGE, "--user", "nobody"], "There is no user"),
    ],
)
def test_bad_input_is_one_clear_message(book, args, message):
    with pytest.raises(CommandError, match=message):
        call(*args)


def test_an_unwritable_file_is_reported_and_nothing_half_written(book, tmp_path):
    call(*RANGE)
    write_all()
    with pytest.raises(CommandError, match="Cannot write"):
        call(*RANGE, "--pdf", str(tmp_path / "missing-dir" / "cards.pdf"))
    assert list(tmp_path.iterdir()) == []
