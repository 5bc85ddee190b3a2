"""Upgrades: how long each migration takes on a big PostgreSQL database, and whether it blocks
writes.

    python bench/migrations.py [--customers 1000000] [--reps 200]

Needs EXTRAMILE_TEST_DATABASE_URL (a server where it may create and drop its own database,
``<name>_migrations``). It migrates a fresh database, generates a book (bench/common.py) and
plans today, so the big tables (customers, their e-mails and phones, sales, actions, cards) are
full; then it unapplies every migration but each app's first (the data in the first migrations'
tables stays) and applies them again **one at a time**, as an upgrade would. During each, a second
connection tries a harmless write (``UPDATE … SET id = id`` on one row, rolled back) on every big
table every 100 ms with ``lock_timeout = 100ms``, and reads the strongest table lock the
migration's connection holds (``pg_locks``). It prints, per migration, the time it took, the
strongest lock, and the longest stretch any table's writes were blocked; any migration that
blocks writes for more than a second is marked and makes the script exit 1.

Tables created by a later migration are empty when it is applied again (they were dropped by the
unapply), so their own creation is timed on an empty table: that is also what an upgrade does.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # the shared generator, beside this file

OUR_APPS = {
    "accounts", "book", "agenda", "cards", "service", "inbox", "outreach", "outbox", "articles",
    "value", "ideas", "culture", "playbook", "team", "insights", "rollups", "api", "exports",
    "feeds", "imports", "mailsync", "ops", "web",
}  # fmt: skip

# The strength order of PostgreSQL's table locks (weakest first).
LOCKS = [
    "AccessShareLock",
    "RowShareLock",
    "RowExclusiveLock",
    "ShareUpdateExclusiveLock",
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
]
BIG = [
    "book_customer",
    "book_emailaddress",
    "book_phonenumber",
    "book_sale",
    "book_keydate",
    "book_promise",
    "book_fact",
    "agenda_action",
    "cards_card",
]


class Probe(threading.Thread):
    """Writes to every big table in turn from its own connection, and watches the migration's
    locks."""

    def __init__(self, url: str, migration_pid: int, tables: list[str]) -> None:
        super().__init__(daemon=True)
        import psycopg

        self.conn = psycopg.connect(url, autocommit=True)
        self.pid = migration_pid
        self.tables = tables
        self.stopping = threading.Event()
        self.strongest = ""
        self.blocked_since: dict[str, float] = {}
        self.longest: dict[str, float] = {}
        self.rows = {}
        for table in tables:
            exists = self.conn.execute("SELECT to_regclass(%s)", [table]).fetchone()[0]
            if exists:
                found = self.conn.execute(f"SELECT id FROM {table} LIMIT 1").fetchone()  # noqa: S608
                if found:
                    self.rows[table] = found[0]

    def run(self) -> None:
        import psycopg

        while not self.stopping.is_set():
            held = self.conn.execute(
                "SELECT mode FROM pg_locks WHERE pid = %s AND locktype = 'relation'", [self.pid]
            ).fetchall()
            for (mode,) in held:
                if mode in LOCKS and (
                    not self.strongest or LOCKS.index(mode) > LOCKS.index(self.strongest)
                ):
                    self.strongest = mode
            for table, row in self.rows.items():
                now = time.monotonic()
                try:
                    with self.conn.transaction(force_rollback=True):
                        self.conn.execute("SET LOCAL lock_timeout = '100ms'")
                        self.conn.execute(
                            f"UPDATE {table} SET id = id WHERE id = %s",  # noqa: S608
                            [row],
                        )
                    started = self.blocked_since.pop(table, None)
                    if started is not None:
                        self.note(table, now - started)
                except psycopg.errors.LockNotAvailable:
                    self.blocked_since.setdefault(table, now - 0.1)
                except psycopg.errors.UndefinedTable:
                    pass
            self.stopping.wait(0.1)

    def note(self, table: str, seconds: float) -> None:
        self.longest[table] = max(self.longest.get(table, 0.0), seconds)

    def finish(self) -> None:
        self.stopping.set()
        self.join()
        now = time.monotonic()
        for table, started in self.blocked_since.items():
            self.note(table, now - started)
        self.conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    args = parser.parse_args()
    pg = os.environ.get("EXTRAMILE_TEST_DATABASE_URL")
    if not pg:
        sys.exit("bench/migrations.py needs EXTRAMILE_TEST_DATABASE_URL")
    parts = urlsplit(pg)
    url = urlunsplit(parts._replace(path=f"/{parts.path.lstrip('/') or 'extramile'}_migrations"))
    print(common.machine_speed())
    with tempfile.TemporaryDirectory(prefix="extramile-migrations-") as workdir:
        common.setup(argparse.Namespace(engine="postgresql", database_url=url), workdir)
        from django.core.management import call_command
        from django.db import connection, migrations
        from django.db.migrations.executor import MigrationExecutor
        from django.utils import timezone

        from extramile.agenda import engine

        _, seconds = common.generate(args.customers, args.reps)
        started = time.perf_counter()
        engine.plan_local_today(timezone.now())
        print(
            f"book: {args.customers:,} customers, {args.reps} reps, generated in {seconds:.0f} s, "
            f"today planned in {time.perf_counter() - started:.0f} s"
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            sizes = {}
            for table in BIG:
                cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
                sizes[table] = cursor.fetchone()[0]
        print("rows: " + ", ".join(f"{t} {n:,}" for t, n in sizes.items()))

        executor = MigrationExecutor(connection)
        leaves = executor.loader.graph.leaf_nodes()
        graph = executor.loader.graph
        ours = {app for app, _ in graph.nodes if app in OUR_APPS}
        # Keep each of our apps' first migration (its tables keep their rows), unless it depends
        # on a later migration of another app; Django's own apps stay as they are.
        keep = {(app, name) for app, name in graph.nodes if app in ours and name.startswith("0001")}
        changed = True
        while changed:
            changed = False
            for key in sorted(keep):
                parents = {parent.key for parent in graph.node_map[key].parents}
                if any(p[0] in ours and p not in keep for p in parents):
                    keep.discard(key)
                    changed = True
        firsts = [key for key in leaves if key[0] not in ours]
        firsts += sorted(keep) + [(app, None) for app in sorted(ours - {a for a, _ in keep})]
        started = time.perf_counter()
        faked = []
        for migration, _ in executor.migration_plan(firsts):
            key = (migration.app_label, migration.name)
            state = executor.loader.project_state(key, at_end=False)
            data_only = all(
                isinstance(operation, migrations.RunPython) for operation in migration.operations
            )
            try:
                executor.unapply_migration(state, migration)
            except Exception:
                if not data_only:
                    raise
                # A data migration whose undo the data forbids (an occasion that cards use):
                # marked unapplied only; applied again, it finds its rows there (get_or_create).
                executor.unapply_migration(state, migration, fake=True)
                faked.append(".".join(key))
            executor.loader.build_graph()
        if faked:
            print(f"(data migrations marked unapplied without undoing them: {', '.join(faked)})")
        print(
            f"unapplied back to each app's first migration in {time.perf_counter() - started:.0f} s"
        )
        executor = MigrationExecutor(connection)
        plan = [migration for migration, _ in executor.migration_plan(leaves)]
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        rows = []
        for migration in plan:
            probe = Probe(url, pid, BIG)
            probe.start()
            began = time.perf_counter()
            call_command("migrate", migration.app_label, migration.name, verbosity=0)
            took = time.perf_counter() - began
            probe.finish()
            blocked = max(probe.longest.items(), key=lambda item: item[1], default=("", 0.0))
            rows.append((f"{migration.app_label}.{migration.name}", took, probe.strongest, blocked))
        print()
        print("| migration | seconds | strongest table lock | writes blocked longest |")
        print("| --- | ---: | --- | --- |")
        worst = []
        for name, took, lock, (table, blocked) in rows:
            flag = " **over 1 s**" if blocked > 1.0 else ""
            if flag:
                worst.append(name)
            where = f"{table} {blocked:.1f} s{flag}" if blocked >= 0.1 else "—"
            print(f"| {name} | {took:.2f} | {lock or '—'} | {where} |")
        if not args.keep:
            common.drop_postgres(url)
        if worst:
            print(f"\nblocking writes for more than a second: {', '.join(worst)}")
            sys.exit(1)


if __name__ == "__main__":
    main()
