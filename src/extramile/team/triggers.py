"""Database triggers that drop a rep's kept days (``team.RepDay``) when a record counted in them
is written: an action, a call, a card or an inbound message, inserted, changed or deleted by any
path (services, bulk updates, imports, raw SQL alike: a signal would miss all but ``save()``).

Only the ``RepDay`` row goes: the day's ``RepDayReply`` rows are read only while their day's
``RepDay`` row is there, and replaced with it when the day is counted again (``team.days.keep``).
The trigger does not know the company's zone, so it drops the record's UTC date and the days on
either side: a local day is never more than a day from the UTC one (zones run from −12 to +14
hours). Dropping a day too many only costs a recount on the next view.

Per engine: SQLite has ``CREATE TRIGGER … WHEN … BEGIN DELETE …; END``, PostgreSQL a PL/pgSQL
function per table. Each body runs only when the record has a moment (an open action, an
unmailed card: nothing to drop) and, on update, when a counted column changed. Measured cost to
writers (docs/design.md): PostgreSQL +8–10 µs a row; SQLite +1–2 µs a row updated, +20–45 µs a
row inserted, open rows too (SQLite gives up an insert optimisation on a table with triggers,
whether they fire or not). ``install`` is idempotent and also runs after
every ``migrate`` (``apps.TeamConfig``): SQLite drops a table's triggers when a migration
rebuilds the table.
"""

from __future__ import annotations

from typing import Any

# table → (the rep's column, the moment that puts the record in a day, the columns counted)
SOURCES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "agenda_action": ("owner_id", "completed_at", ("owner_id", "status", "completed_at")),
    "outreach_call": ("user_id", "at", ("user_id", "at")),
    "cards_card": (
        "owner_id",
        "mailed_at",
        ("owner_id", "status", "mailed_at", "mail_by", "override_reason", "occasion_id"),
    ),
    "inbox_inboundmessage": (
        "owner_id",
        "received_at",
        (
            "owner_id",
            "received_at",
            "replied_at",
            "reply_due_at",
            "response_minutes",
            "breached",
        ),
    ),
}


# Tables whose rows are never inserted with their moment set, so they have no INSERT trigger: a
# card is planned (its ``mailed_at`` is set by an UPDATE when it goes out). An INSERT trigger,
# even one that never fires, made SQLite's December season 3.2× slower (1.5 s -> 4.9 s at 100,000
# customers; 179,069 cards) and its idempotent re-run 4× (0.8 s -> 3.3 s): SQLite copies an
# INSERT … SELECT into a temporary table first when the target has INSERT triggers; PostgreSQL
# pays 8–10 µs a row for a trigger's WHEN, 1.8 million cards a season at 1,000,000 customers.
NO_INSERT_TRIGGER = frozenset({"cards_card"})


def sqlite_sql(table: str, rep: str, at: str, columns: tuple[str, ...]) -> list[str]:
    def forget(row: str) -> str:
        return (
            f" DELETE FROM team_repday WHERE rep_id = {row}.{rep} AND day BETWEEN"  # noqa: S608
            f" date({row}.{at}, '-1 day') AND date({row}.{at}, '+1 day');"
        )

    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
    changed = f"(OLD.{at} IS NOT NULL OR NEW.{at} IS NOT NULL) AND ({changed})"
    insert = (
        []
        if table in NO_INSERT_TRIGGER
        else [
            f"CREATE TRIGGER IF NOT EXISTS team_forget_{table}_insert AFTER INSERT ON {table}"
            f" FOR EACH ROW WHEN NEW.{at} IS NOT NULL BEGIN{forget('NEW')} END"
        ]
    )
    return [
        *insert,
        f"CREATE TRIGGER IF NOT EXISTS team_forget_{table}_update AFTER UPDATE ON {table}"
        f" FOR EACH ROW WHEN {changed} BEGIN{forget('OLD')}{forget('NEW')} END",
        f"CREATE TRIGGER IF NOT EXISTS team_forget_{table}_delete AFTER DELETE ON {table}"
        f" FOR EACH ROW WHEN OLD.{at} IS NOT NULL BEGIN{forget('OLD')} END",
    ]


def postgres_sql(table: str, rep: str, at: str, columns: tuple[str, ...]) -> list[str]:
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
    changed = f"(OLD.{at} IS NOT NULL OR NEW.{at} IS NOT NULL) AND ({changed})"
    function = f"team_forget_{table}"

    def forget(row: str) -> str:
        day = f"({row}.{at} AT TIME ZONE 'UTC')::date"
        return (
            f"DELETE FROM team_repday WHERE rep_id = {row}.{rep}"  # noqa: S608
            f" AND day BETWEEN {day} - 1 AND {day} + 1;"
        )

    return [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.{at} IS NOT NULL THEN
    {forget("OLD")}
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.{at} IS NOT NULL THEN
    {forget("NEW")}
  END IF;
  RETURN NULL;
END $$""",
        *(
            []
            if table in NO_INSERT_TRIGGER
            else [
                f"CREATE OR REPLACE TRIGGER team_forget_insert AFTER INSERT ON {table}"
                f" FOR EACH ROW WHEN (NEW.{at} IS NOT NULL) EXECUTE FUNCTION {function}()"
            ]
        ),
        f"CREATE OR REPLACE TRIGGER team_forget_update AFTER UPDATE ON {table} FOR EACH ROW"
        f" WHEN ({changed}) EXECUTE FUNCTION {function}()",
        f"CREATE OR REPLACE TRIGGER team_forget_delete AFTER DELETE ON {table} FOR EACH ROW"
        f" WHEN (OLD.{at} IS NOT NULL) EXECUTE FUNCTION {function}()",
    ]


def statements(vendor: str) -> list[str]:
    postgres = vendor == "postgresql"
    found: list[str] = []
    for table, (rep, at, columns) in SOURCES.items():
        found += (postgres_sql if postgres else sqlite_sql)(table, rep, at, columns)
    return found


def install(connection: Any) -> None:
    """Create the triggers where they are missing (idempotent)."""
    with connection.cursor() as cursor:
        for sql in statements(connection.vendor):
            cursor.execute(sql)


def uninstall(connection: Any) -> None:
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for table in SOURCES:
            for op in ("insert", "update", "delete"):
                if postgres:
                    cursor.execute(f"DROP TRIGGER IF EXISTS team_forget_{op} ON {table}")
                else:
                    cursor.execute(f"DROP TRIGGER IF EXISTS team_forget_{table}_{op}")
            if postgres:
                cursor.execute(f"DROP FUNCTION IF EXISTS team_forget_{table}()")


def installed(connection: Any) -> set[str]:
    """The names of the triggers in place (for the tests and the checks)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgrelid::regclass::text || '.' || tgname FROM pg_trigger"
                " WHERE tgname LIKE 'team_forget_%'"
            )
        else:
            cursor.execute(
                "SELECT tbl_name || '.' || name FROM sqlite_master WHERE type = 'trigger'"
                " AND name LIKE 'team_forget_%'"
            )
        return {row[0] for row in cursor.fetchall()}
