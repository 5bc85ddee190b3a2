"""An index for the import's third way of finding a customer (same first and last name and the
same postal code, ``imports.merge.Matches.by_names``): the owner, the names, then the postal key
as the import compares it (spaces out, upper case; ``*`` for a postal code of anything but
printable ASCII, which the import compares in Python). Without it every batch of a big file read
every customer of the same name written so far (0007's ``customer_owner_name`` ends at the first
name), so a million-row file slowed down as it went.

The expression must stay the one in ``imports.merge.POSTAL_SQL``, character for character
(tests/imports/test_merge.py checks that the look-up is a seek in this index on both engines).
Written by hand, like 0007 and 0008: the expression differs per engine (a regular expression on
PostgreSQL, GLOB on SQLite), and on PostgreSQL it is built ``CONCURRENTLY``."""

from django.db import migrations

from extramile.db_operations import create_indexes, drop_indexes

POSTGRES = "(CASE WHEN postal_code ~ '[^ -~]' THEN '*' ELSE upper(replace(postal_code, ' ', '')) END)"
SQLITE = "(CASE WHEN postal_code GLOB '*[^ -~]*' THEN '*' ELSE upper(replace(postal_code, ' ', '')) END)"

# name → (PostgreSQL columns, SQLite columns)
INDEXES = {
    "customer_owner_name_postal": (
        f'"owner_id", "last_name", "first_name", {POSTGRES}',
        f'"owner_id", "last_name", "first_name", {SQLITE}',
    )
}


def create(apps, schema_editor):
    create_indexes(schema_editor, "book_customer", INDEXES)


def drop(apps, schema_editor):
    drop_indexes(schema_editor, INDEXES)


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("book", "0008_customer_owner_name_prefix_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
