"""Indexes for the customer search: each name field lowercased, so a search by the start of a
name reads an index range instead of every customer in scope.

Written by hand because the index differs per engine: SQLite reads ``lower(x) >= 'ab' AND
lower(x) < 'ac'`` from a plain expression index; PostgreSQL reads ``lower(x) LIKE 'ab%'`` from a
``text_pattern_ops`` index (a range by byte order, whatever the database's collation)."""

from django.db import migrations

FIELDS = ("first_name", "last_name", "preferred_name", "company_name")


def name(field: str) -> str:
    return f"customer_{field}_prefix"


def create(apps, schema_editor):
    pattern = " text_pattern_ops" if schema_editor.connection.vendor == "postgresql" else ""
    for field in FIELDS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name(field)}" ON "book_customer" '
            f'(lower("{field}"){pattern})'
        )


def drop(apps, schema_editor):
    for field in FIELDS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name(field)}"')


class Migration(migrations.Migration):
    dependencies = [("book", "0006_drop_indexes_covered_by_others")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
