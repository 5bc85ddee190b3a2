"""The book as CSV reads back as itself: export → import → export is identical in every column
the customer's shape says an import carries (``book.shape.COLUMNS``, ``round_trips``), and the
shape is what the form, the API, the export and the importer read."""

from __future__ import annotations

import csv
import io

import pytest

from extramile.api import customers as api_customers
from extramile.book import shape
from extramile.book.forms import CustomerForm
from extramile.book.models import Customer, EmailAddress, KeyDate, PhoneNumber
from extramile.exports import csvfile
from extramile.imports import columns
from tests.conftest import make_customer
from tests.imports.helpers import run, write

pytestmark = pytest.mark.django_db


def exported(owner) -> list[dict[str, str]]:
    text = "".join(csvfile.lines(Customer.objects.filter(owner=owner))).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def carried(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    kept = [c.header for c in shape.COLUMNS if c.round_trips]
    return sorted(
        ({h: row[h] for h in kept} for row in rows),
        key=lambda row: (row["Last Name"], row["First Name"], row["Company"]),
    )


@pytest.fixture
def varied_book(owner):
    anna = make_customer(
        owner,
        "Anna",
        "Smith",
        preferred_name="Annie",
        company_name="Smith & Daughters",
        street="1 Main St",
        city="Springfield",
        region="IL",
        postal_code="62701",
        country="US",
        birth_month=4,
        birth_day=15,
    )
    EmailAddress.objects.create(customer=anna, address="anna@example.com", label="home")
    EmailAddress.objects.create(customer=anna, address="anna@work.example", is_primary=False)
    PhoneNumber.objects.create(customer=anna, number="+12025550143", label="mobile")
    PhoneNumber.objects.create(customer=anna, number="+14155552671")
    KeyDate.objects.create(customer=anna, kind="wedding", month=6, day=18, year=2005)
    formula = make_customer(
        owner, "=SUM(1)", "Éclair", birth_month=2, birth_day=29, birth_year=1988, country="FR"
    )
    PhoneNumber.objects.create(customer=formula, number="+33142685300", label="work")
    make_customer(owner, "", "", company_name="Acme Tyres Ltd")
    return anna


def test_export_import_export_is_identical(tmp_path, owner, outsider, varied_book):
    first = exported(owner)
    assert len(first) == 3
    path = write(tmp_path, "book.csv", "".join(csvfile.lines(Customer.objects.filter(owner=owner))))
    report = run(path, outsider)
    assert (report.new, report.invalid) == (3, 0)
    assert carried(exported(outsider)) == carried(first)


def test_the_importer_reads_every_column_of_our_export_as_the_shape_says():
    assert columns.generic(csvfile.HEADERS) is not None  # every column known, none to guess
    assert columns.suggest(csvfile.HEADERS) == {c.header: c.imports_as for c in shape.COLUMNS}


def test_every_editable_field_is_in_the_export_and_in_the_form_and_the_api():
    exported_fields = {field for column in shape.COLUMNS for field in column.fields}
    assert set(shape.EDITABLE) == exported_fields
    assert set(shape.EDITABLE) <= set(CustomerForm.base_fields)
    out = set(api_customers.CustomerOut.model_fields)
    assert set(shape.EDITABLE) | set(shape.READ_ONLY) <= out
    for body in (api_customers.CustomerIn, api_customers.CustomerPatch):
        assert set(shape.EDITABLE) <= set(body.model_fields)
