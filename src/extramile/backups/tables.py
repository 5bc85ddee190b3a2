"""Counting rows per table, and telling a database that holds data from an empty one."""

from __future__ import annotations

from typing import Any

# Tables ``extramile migrate`` fills by itself (Django's own bookkeeping, the default card
# occasions, the monthly themes and service targets): rows there do not make a database "not empty".
# tests/backups checks this against a freshly migrated database.
FILLED_BY_MIGRATE = frozenset(
    {
        "django_migrations",
        "django_content_type",
        "auth_permission",
        "cards_occasion",
        "cards_monthlytheme",
        "service_servicetarget",
    }
)


def counted(name: str) -> bool:
    """SQLite's own tables (``sqlite_sequence``, ``sqlite_stat1``) are not ours to count."""
    return not name.startswith("sqlite_")


def count_rows(cursor: Any, names: list[str], quote: Any) -> dict[str, int]:
    counts = {}
    for name in sorted(n for n in names if counted(n)):
        cursor.execute(f"SELECT count(*) FROM {quote(name)}")  # noqa: S608 — a table name, quoted
        counts[name] = int(cursor.fetchone()[0])
    return counts


def live_counts(connection: Any) -> dict[str, int]:
    """Rows per table of a Django connection's database (no tables: empty)."""
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
        return count_rows(cursor, names, connection.ops.quote_name)


def data_tables(counts: dict[str, int]) -> dict[str, int]:
    """The tables with rows that ``migrate`` did not put there."""
    return {name: rows for name, rows in counts.items() if rows and name not in FILLED_BY_MIGRATE}
