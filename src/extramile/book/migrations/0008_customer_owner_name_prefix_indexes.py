"""Indexes for a rep's (or a team's) customer search: the owner, then each name field lowercased,
so a search within one book reads the matches of that book only. Without them the search of a rep
read the rep's whole book (5,000 customers at 1,000,000) and lowercased four names of each row
(9–12 ms a search); 0007's indexes stay for a search of the whole company (an admin's).

Written by hand for the same reasons as 0007: the index differs per engine (``text_pattern_ops`` on
PostgreSQL), and on PostgreSQL it is built ``CONCURRENTLY`` (outside a transaction) so the book
stays writable while it builds; a build killed half-way leaves an invalid index that the next run
drops and builds again. SQLite chooses them once it has statistics (``db_operations.
refresh_statistics``, after every nightly plan)."""

from django.db import migrations

from extramile.db_operations import create_indexes, drop_indexes

FIELDS = ("first_name", "last_name", "preferred_name", "company_name")

# name → (PostgreSQL columns, SQLite columns)
INDEXES = {
    f"customer_owner_{field}_prefix": (
        f'"owner_id", lower("{field}") text_pattern_ops',
        f'"owner_id", lower("{field}")',
    )
    for field in FIELDS
}


def create(apps, schema_editor):
    create_indexes(schema_editor, "book_customer", INDEXES)


def drop(apps, schema_editor):
    drop_indexes(schema_editor, INDEXES)


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("book", "0007_customer_name_prefix_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
