"""Migration operations that keep a big database writable while they run.

``AddIndexConcurrently`` builds an index with ``CREATE INDEX CONCURRENTLY`` on PostgreSQL, so
writes to the table go on during the build (a plain ``CREATE INDEX`` blocks them until the
migration commits: seconds at a million customers). On SQLite it is a plain ``AddIndex``. A
migration using it must say ``atomic = False`` (PostgreSQL builds concurrently only outside a
transaction); an interrupted build leaves an invalid index that the next run drops and builds
again. See docs/operations.md, "Upgrades".

``create_indexes`` / ``drop_indexes`` do the same for indexes written by hand per engine.
``refresh_statistics`` gives SQLite's query planner the statistics PostgreSQL's autovacuum keeps
on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, migrations


class AddIndexConcurrently(migrations.AddIndex):
    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor != "postgresql":
            schema_editor.add_index(model, self.index)
            return
        if schema_editor.connection.in_atomic_block:
            raise RuntimeError(f"{self.index.name}: a concurrent index needs atomic = False")
        # A build killed half-way leaves an INVALID index of this name: drop it, build again.
        schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{self.index.name}"')
        schema_editor.add_index(model, self.index, concurrently=True)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor != "postgresql":
            schema_editor.remove_index(model, self.index)
            return
        schema_editor.remove_index(model, self.index, concurrently=True)

    def describe(self) -> str:
        return f"{super().describe()} (concurrently on PostgreSQL)"


def create_indexes(schema_editor: Any, table: str, indexes: dict[str, tuple[str, str]]) -> None:
    """For a ``RunPython`` in a migration with ``atomic = False``: each index of ``indexes``
    (name → its columns on PostgreSQL, its columns on SQLite), for indexes the model's ``Meta``
    cannot say (``text_pattern_ops`` on PostgreSQL only). PostgreSQL builds them ``CONCURRENTLY``,
    first dropping an invalid one a killed build left; SQLite skips one that exists."""
    for name, (postgres, sqlite) in indexes.items():
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')
            schema_editor.execute(f'CREATE INDEX CONCURRENTLY "{name}" ON "{table}" ({postgres})')
        else:
            schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({sqlite})')


def drop_indexes(schema_editor: Any, names: Iterable[str]) -> None:
    """The reverse of ``create_indexes`` (concurrently on PostgreSQL)."""
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    for name in names:
        schema_editor.execute(f'DROP INDEX{concurrently} IF EXISTS "{name}"')


# Rows SQLite reads per index for its statistics: enough for the shape of the data (how many
# customers a rep has, how many share a name), a few milliseconds at a million customers.
ANALYSIS_LIMIT = 1000


def refresh_statistics() -> None:
    """SQLite: ``ANALYZE`` (approximate, ``analysis_limit``), so the planner knows that a rep's
    book is a few thousand customers and chooses the narrow index (a rep's search through
    ``(owner_id, lower(name))``: 3 ms → 0.03 ms at 300,000 customers). Without statistics SQLite
    guesses, and nothing else in an installation ever runs ``ANALYZE``. PostgreSQL: nothing
    (autovacuum analyses changed tables)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
