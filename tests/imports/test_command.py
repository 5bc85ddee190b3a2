"""`extramile import`: the dry run's report, all or nothing, --skip-invalid with its rejects file,
mapping files, and who may import into whose book."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from extramile.book.models import Customer
from extramile.imports.models import ColumnMapping
from tests.imports.helpers import write

pytestmark = pytest.mark.django_db

FILE = (
    "first_name,last_name,email,birthday\n"
    "Anna,Smith,anna@example.com,1980-04-15\n"
    "=cmd|' /C calc'!A0,Jones,bob@example,1975-02-30\n"
    "Cara,Diaz,cara@example.com,\n"
)


def command(*args: str) -> tuple[str, str, int]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import", *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), str(error), error.returncode
    return out.getvalue(), err.getvalue(), 0


def test_dry_run_lists_every_problem_and_writes_nothing(tmp_path, owner):
    path = write(tmp_path, "people.csv", FILE)
    out, error, code = command(str(path), "--owner", "olivia", "--dry-run")
    assert code == 1 and "1 records have problems" in error
    assert "Row 3, birthday: February 1975 has no day 30." in out
    assert "Row 3, e-mail: “bob@example” is not a valid e-mail address" in out
    assert "2 new" in out and "Dry run: nothing was written." in out
    assert Customer.objects.count() == 0
    assert not (tmp_path / "people.rejects.csv").exists()


def test_all_or_nothing_by_default(tmp_path, owner):
    _, error, code = command(str(write(tmp_path, "people.csv", FILE)), "--owner", "olivia")
    assert code == 1
    assert "nothing was imported" in error and "--skip-invalid" in error
    assert Customer.objects.count() == 0


def test_skip_invalid_imports_the_rest_and_writes_a_safe_rejects_file(tmp_path, owner):
    path = write(tmp_path, "people.csv", FILE)
    out, _, code = command(str(path), "--owner", "olivia", "--skip-invalid")
    assert code == 0
    rejects = tmp_path / "people.rejects.csv"
    assert f"Rejected rows written to {rejects}" in out
    assert sorted(Customer.objects.values_list("first_name", flat=True)) == ["Anna", "Cara"]
    rows = list(csv.reader(io.StringIO(rejects.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["first_name", "last_name", "email", "birthday", "problem"]
    # The row as it was, with its formula neutralised for spreadsheets.
    assert rows[1][:4] == ["'=cmd|' /C calc'!A0", "Jones", "bob@example", "1975-02-30"]
    assert "Row 3, birthday: February 1975 has no day 30." in rows[1][4]
    assert len(rows) == 2


def test_clean_file_imports_and_reports(tmp_path, owner):
    path = write(tmp_path, "ok.csv", "first_name,last_name\nAnna,Smith\n")
    out, _, code = command(str(path), "--owner", "olivia")
    assert code == 0 and "1 new" in out and "Google" not in out
    out, _, code = command(str(path), "--owner", "olivia")
    assert "0 new" in out and "1 unchanged" in out


def test_unknown_columns_explain_the_mapping_file(tmp_path, owner):
    path = write(tmp_path, "liste.csv", "Rufname;Familie;Mail\nAnna;Smith;a@example.com\n")
    _, error, code = command(str(path), "--owner", "olivia")
    assert code == 2 and "not ones we recognise" in error and "Rufname" in error


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "map.json",
            json.dumps(
                {"columns": {"Rufname": "first_name", "Familie": "last_name", "Mail": "email"}}
            ),
        ),
        ("map.toml", '[columns]\nRufname = "first_name"\nFamilie = "last_name"\nMail = "email"\n'),
        (
            "flat.json",
            json.dumps({"Rufname": "first_name", "Familie": "last_name", "Mail": "email"}),
        ),
    ],
)
def test_mapping_files_json_and_toml(tmp_path, owner, name, text):
    path = write(tmp_path, "liste.csv", "Rufname;Familie;Mail\nAnna;Smith;a@example.com\n")
    mapping = write(tmp_path, name, text)
    out, _, code = command(
        str(path), "--owner", "olivia", "--mapping", str(mapping), "--save-mapping", "Fair list"
    )
    assert code == 0 and "1 new" in out
    assert Customer.objects.get().emails.get().address == "a@example.com"
    # Saved by name: the next file with the same columns needs no mapping at all.
    assert ColumnMapping.objects.get().name == "Fair list"
    other = write(tmp_path, "next.csv", "Rufname;Familie;Mail\nBob;Jones;b@example.com\n")
    out, _, code = command(str(other), "--owner", "olivia")
    assert code == 0 and "Fair list" in out and "1 new" in out


def test_a_broken_mapping_file(tmp_path, owner):
    path = write(tmp_path, "liste.csv", "Vorname;Nachname\nAnna;Smith\n")
    broken = write(tmp_path, "map.json", '{"columns": {"Vorname": ')
    _, error, code = command(str(path), "--owner", "olivia", "--mapping", str(broken))
    assert code == 2 and "neither JSON nor TOML" in error


def test_owner_and_role_rules(tmp_path, owner, colleague, manager, outsider, admin_user):
    path = write(tmp_path, "ok.csv", "first_name,last_name\nAnna,Smith\n")
    # A rep imports only into their own book.
    _, error, code = command(str(path), "--owner", "colin", "--user", "olivia")
    assert code == 2 and "olivia may not import into colin's book" in error
    # A manager into a book of their team, not another team's.
    _, _, code = command(str(path), "--owner", "colin", "--user", "maya")
    assert code == 0 and Customer.objects.get().owner == colleague
    _, error, code = command(str(path), "--owner", "oscar", "--user", "maya")
    assert code == 2 and "may not import" in error
    # An admin anywhere.
    _, _, code = command(str(path), "--owner", "oscar", "--user", "ada")
    assert code == 0 and Customer.objects.filter(owner=outsider).count() == 1
    # Several users and no --owner: say whose.
    _, error, code = command(str(path))
    assert code == 2 and "--owner" in error


def test_missing_file(tmp_path, owner):
    _, error, code = command(str(tmp_path / "nope.csv"), "--owner", "olivia")
    assert code == 2 and "There is no file" in error
