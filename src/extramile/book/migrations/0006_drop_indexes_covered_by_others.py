"""Drop three foreign-key indexes that others cover: every customer index on the owner starts with
``owner_id``, and the one-per-customer unique constraints on e-mails and phones start with
``customer_id``. Each was written on every insert for nothing.

Written by hand: Django's ``AlterField`` would rebuild the tables on SQLite and drop and re-add
(so re-check) the foreign keys on PostgreSQL, minutes on a big book. Only the indexes go; the
names are the ones Django gave them, on both databases."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEXES = {
    "book_customer_owner_id_fe7a8902": ('"book_customer"', '"owner_id"'),
    "book_emailaddress_customer_id_c3deb3b0": ('"book_emailaddress"', '"customer_id"'),
    "book_phonenumber_customer_id_6d6726d5": ('"book_phonenumber"', '"customer_id"'),
}


class Migration(migrations.Migration):
    dependencies = [
        ("book", "0005_customer_owner_cadence_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON {table} ({column})',
                )
                for name, (table, column) in INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="customer",
                    name="owner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="customers",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="emailaddress",
                    name="customer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="emails",
                        to="book.customer",
                    ),
                ),
                migrations.AlterField(
                    model_name="phonenumber",
                    name="customer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="phones",
                        to="book.customer",
                    ),
                ),
            ],
        )
    ]
