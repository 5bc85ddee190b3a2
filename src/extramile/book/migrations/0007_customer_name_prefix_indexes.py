"""Indexes for the customer search: each name field lowercased, so a search by the start of a
name reads an index range instead of every customer in scope.

Written by hand because the index differs per engine: SQLite reads ``lower(x) >= 'ab' AND
lower(x) < 'ac'`` from a plain expression index; PostgreSQL reads ``lower(x) LIKE 'ab%'`` from a
``text_pattern_ops`` index (a range by byte order, whatever the database's collation). On
PostgreSQL they are built ``CONCURRENTLY`` (outside a transaction, so the book stays writable
while they build, as ``db_operations.AddIndexConcurrently`` does); a build killed half-way leaves
an invalid index that the next run drops and builds again."""

from django.db import migrations

from extramile.db_operations import create_indexes, drop_indexes

FIELDS = ("first_name", "last_name", "preferred_name", "company_name")

# name → (PostgreSQL columns, SQLite columns)
INDEXES = {
    f"customer_{field}_prefix": (f'lower("{field}") text_pattern_ops', f'lower("{field}")')
    for field in FIELDS
}


def create(apps, schema_editor):
    create_indexes(schema_editor, "book_customer", INDEXES)


def drop(apps, schema_editor):
    drop_indexes(schema_editor, INDEXES)


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("book", "0006_drop_indexes_covered_by_others")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
