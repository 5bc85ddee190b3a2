"""Migration operations that keep a big database writable while they run.

``AddIndexConcurrently`` builds an index with ``CREATE INDEX CONCURRENTLY`` on PostgreSQL, so
writes to the table go on during the build (a plain ``CREATE INDEX`` blocks them until the
migration commits: seconds at a million customers). On SQLite it is a plain ``AddIndex``. A
migration using it must say ``atomic = False`` (PostgreSQL builds concurrently only outside a
transaction); an interrupted build leaves an invalid index that the next run drops and builds
again. See docs/operations.md, "Upgrades".
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


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
