"""AddIndexConcurrently: the index of a migration built without blocking writes on PostgreSQL
(CREATE INDEX CONCURRENTLY, outside a transaction), a plain index on SQLite."""

from __future__ import annotations

import pytest
from django.db import connection, models, transaction
from django.db.migrations.loader import MigrationLoader

from extramile.db_operations import AddIndexConcurrently

NAME = "test_customer_city_idx"


def states(operation):
    before = MigrationLoader(connection).project_state()
    after = before.clone()
    operation.state_forwards("book", after)
    return before, after


def indexes() -> dict[str, dict]:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, "book_customer")


def valid(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indisvalid FROM pg_index WHERE indexrelid = %s::regclass", [name])
        return bool(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_the_index_is_built_and_removed_on_either_database():
    operation = AddIndexConcurrently(
        "customer", models.Index(fields=["city"], name=NAME, condition=models.Q(status="customer"))
    )
    before, after = states(operation)
    with connection.schema_editor(atomic=False) as editor:
        operation.database_forwards("book", editor, before, after)
    assert indexes()[NAME]["columns"] == ["city"]
    if connection.vendor == "postgresql":
        assert valid(NAME)
    with connection.schema_editor(atomic=False) as editor:
        operation.database_backwards("book", editor, after, before)
    assert NAME not in indexes()


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_half_built_index_is_built_again_and_a_transaction_is_refused():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent index builds are PostgreSQL's (EXTRAMILE_TEST_DATABASE_URL)")
    operation = AddIndexConcurrently("customer", models.Index(fields=["city"], name=NAME))
    before, after = states(operation)
    with connection.cursor() as cursor:
        # What a build killed half-way leaves: an index marked invalid.
        cursor.execute(f'CREATE INDEX "{NAME}" ON book_customer (city)')
        cursor.execute(
            "UPDATE pg_index SET indisvalid = false WHERE indexrelid = %s::regclass", [NAME]
        )
    assert not valid(NAME)
    with connection.schema_editor(atomic=False) as editor:
        operation.database_forwards("book", editor, before, after)
    assert valid(NAME)
    with connection.schema_editor(atomic=False) as editor:
        operation.database_backwards("book", editor, after, before)

    with (
        pytest.raises(RuntimeError, match="atomic = False"),
        transaction.atomic(),
        connection.schema_editor() as editor,
    ):
        operation.database_forwards("book", editor, before, after)
    assert NAME not in indexes()
