"""Indexes for the customer search: each name field lowercased, so a search by the start of a
name reads an index range instead of every customer in scope.

Written by hand because the index differs per engine: SQLite reads ``lower(x) >= 'ab' AND
lower(x) < 'ac'`` from a plain expression index; PostgreSQL reads ``lower(x) LIKE 'ab%'`` from a
``text_pattern_ops`` index (a range by byte order, whatever the database's collation). On
PostgreSQL they are built ``CONCURRENTLY`` (outside a transaction, so the book stays writable
while they build, as ``db_operations.AddIndexConcurrently`` does); a build killed half-way leaves
an invalid index that the next run drops and builds again."""

from django.db import migrations

FIELDS = ("first_name", "last_name", "preferred_name", "company_name")


def name(field: str) -> str:
    return f"customer_{field}_prefix"


def create(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for field in FIELDS:
        if postgres:
            schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name(field)}"')
            schema_editor.execute(
                f'CREATE INDEX CONCURRENTLY "{name(field)}" ON "book_customer" '
                f'(lower("{field}") text_pattern_ops)'
            )
        else:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name(field)}" ON "book_customer" (lower("{field}"))'
            )


def drop(apps, schema_editor):
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    for field in FIELDS:
        schema_editor.execute(f'DROP INDEX{concurrently} IF EXISTS "{name(field)}"')


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("book", "0006_drop_indexes_covered_by_others")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
