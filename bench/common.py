"""What the benchmarks share: a throwaway database per engine, and the generated book.

Each script runs itself once per engine in a child process (``--engine``): SQLite in a temporary
directory, and PostgreSQL in a database of the script's own (``extramile_bench_<script>``),
created and dropped, when EXTRAMILE_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import itertools
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

FIRST = [
    "Ana",
    "Ben",
    "Cara",
    "Dev",
    "Eli",
    "Fay",
    "Gus",
    "Hana",
    "Ivo",
    "Jo",
    "Kai",
    "Lea",
    "Max",
    "Nia",
    "Oli",
    "Pia",
    "Raj",
    "Sol",
    "Tom",
    "Uma",
    "Vic",
    "Wes",
]
LAST = [
    "Abbott",
    "Baker",
    "Chen",
    "Diaz",
    "Evans",
    "Fox",
    "Garcia",
    "Hill",
    "Ito",
    "Jones",
    "Khan",
    "Lopez",
    "Moss",
    "Nunez",
    "Ortiz",
    "Park",
]
# Reps' own time zones, in turn ("" is the company's, America/New_York).
ZONES = ["", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix"]


def machine_speed() -> str:
    """How fast this machine runs Python right now: shared and throttled machines vary by a
    factor of two from one hour to the next, so a figure is only comparable with its speed."""
    started = time.perf_counter()
    total = 0
    for step in range(10_000_000):
        total += step
    return (
        f"machine speed: a 10,000,000-step Python loop took {time.perf_counter() - started:.2f} s"
    )


def engines(database: str) -> list[tuple[str, str | None]]:
    """SQLite, and PostgreSQL (database ``database``) when EXTRAMILE_TEST_DATABASE_URL is set;
    EXTRAMILE_BENCH_ENGINES (``sqlite``, ``postgresql`` or both, comma-separated) picks fewer."""
    found: list[tuple[str, str | None]] = [("sqlite", None)]
    pg = os.environ.get("EXTRAMILE_TEST_DATABASE_URL")
    if pg:
        found.append(("postgresql", urlunsplit(urlsplit(pg)._replace(path=f"/{database}"))))
    else:
        print("(set EXTRAMILE_TEST_DATABASE_URL to run it on PostgreSQL too)")
    wanted = os.environ.get("EXTRAMILE_BENCH_ENGINES")
    if wanted:
        found = [(engine, url) for engine, url in found if engine in wanted.split(",")]
    return found


def engine_arguments(parser: argparse.ArgumentParser) -> None:
    """The internal options a script passes to its own child process per engine."""
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], help="(internal) one engine")
    parser.add_argument("--database-url", help="(internal)")


def each_engine(script: str, database: str, argv: Sequence[str] | None = None) -> None:
    """Run ``script`` again in a child process per engine (``engines(database)``), with the same
    command-line arguments (or ``argv``) and ``--engine`` / ``--database-url`` added."""
    argv = list(sys.argv[1:] if argv is None else argv)
    for engine, url in engines(database):
        command = [sys.executable, script, *argv, "--engine", engine]
        if url:
            command += ["--database-url", url]
        subprocess.run(command, check=True)


@contextlib.contextmanager
def database(args: argparse.Namespace, prefix: str = "extramile-bench-") -> Iterator[str]:
    """A throwaway database for ``args.engine`` (migrated), in a temporary data directory that is
    yielded; the PostgreSQL database is dropped afterwards."""
    with tempfile.TemporaryDirectory(prefix=prefix) as workdir:
        setup(args, workdir)
        try:
            yield workdir
        finally:
            if args.engine == "postgresql":
                drop_postgres(args.database_url)


# --- Lower bounds ---------------------------------------------------------------------------------
#
# A figure on a shared machine moves by two times from one hour to the next; the ratio of a step to
# what the machine can do with the same data in the same minute does not. Each benchmark measures,
# beside every step it times, a lower bound: the bare work the step cannot avoid (the SQL that
# selects the same rows and writes the same rows, in as few statements as possible, on the DB-API
# cursor: no ORM, no Python per row; the bare queries behind a page; a bare Typst compile; the
# csv module and a bare COPY), and prints ``ratio to lower bound: N.N×`` on the step's line.

Statement = tuple[str, Sequence[Any]]


def bare(statements: Sequence[Statement], *, keep: bool = False) -> float:
    """Seconds to run ``statements`` on the raw DB-API cursor, reading every row they return, in
    one transaction rolled back afterwards (unless ``keep``), so writes leave nothing behind.

    Statements are written with ``%s`` placeholders (SQLite's ``?`` is substituted)."""
    from django.db import connection, transaction

    connection.ensure_connection()
    sqlite = connection.vendor == "sqlite"
    with transaction.atomic():
        sid = transaction.savepoint()
        raw = connection.connection.cursor()
        started = time.perf_counter()
        for sql, params in statements:
            raw.execute(_qmark(sql) if sqlite else sql, tuple(params))
            if raw.description is not None:
                raw.fetchall()
        seconds = time.perf_counter() - started
        raw.close()
        if keep:
            transaction.savepoint_commit(sid)
        else:
            transaction.savepoint_rollback(sid)
    return seconds


class Recorder:
    """Records the statements run on the default connection while active, under the label set in
    ``label`` (nothing while it is blank): what a step asked of the database, to be replayed bare.
    Transaction control (savepoints) is left out: ``bare`` runs its own transaction."""

    def __init__(self) -> None:
        self.label = ""
        self.statements: dict[str, list[tuple[str, Any, bool]]] = {}

    def __enter__(self) -> Recorder:
        from django.db import connection

        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._wrapper.__exit__(*exc)

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        if self.label and not sql.lstrip().upper().startswith(
            ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")
        ):
            self.statements.setdefault(self.label, []).append((sql, params, many))
        return execute(sql, params, many, context)

    def replay(self, label: str, runs: int = 1) -> float | None:
        """The best of ``runs`` bare replays of what ``label`` ran (None: it ran nothing)."""
        statements = self.statements.get(label)
        if not statements:
            return None
        return best_of(runs, lambda: replay(statements))


def bound_of(function: Callable[[], Any], runs: int = 1) -> float | None:
    """A step's lower bound measured before the step: ``function`` runs once in a transaction
    rolled back while its statements are recorded, then they are replayed bare (rolled back too)
    ``runs`` times; the best replay's seconds (None: it ran no statement). The data is left as it
    was, so the timed run that follows does the same work."""
    from django.db import transaction

    recorder = Recorder()
    with recorder, transaction.atomic():
        recorder.label = "step"
        sid = transaction.savepoint()
        function()
        transaction.savepoint_rollback(sid)
    return recorder.replay("step", runs)


def _qmark(sql: str) -> str:
    """Django's ``%s`` placeholders as SQLite's ``?`` (and ``%%`` as ``%``), as its backend does."""
    return re.sub(r"(?<!%)%s", "?", sql).replace("%%", "%")


def replay(statements: Sequence[tuple[str, Any, bool]]) -> float:
    """Seconds to run recorded statements (``Recorder``) on the raw DB-API cursor, every row read,
    in a transaction rolled back afterwards."""
    return replay_rows(statements, lambda rows: None)


def replay_rows(
    statements: Sequence[tuple[str, Any, bool]], take: Callable[[list[Any]], object]
) -> float:
    """``replay``, with each statement's rows handed to ``take`` inside the timing: the bound of a
    step that writes out what it reads (an export: ``take`` writes the rows to a file)."""
    from django.db import connection, transaction

    connection.ensure_connection()
    sqlite = connection.vendor == "sqlite"
    with transaction.atomic():
        sid = transaction.savepoint()
        raw = connection.connection.cursor()
        started = time.perf_counter()
        for sql, params, many in statements:
            text = _qmark(sql) if sqlite and params is not None else sql
            if many:
                raw.executemany(text, params)
            elif params is None:
                raw.execute(text)
            else:
                raw.execute(text, params)
            if raw.description is not None:
                take(raw.fetchall())
        seconds = time.perf_counter() - started
        raw.close()
        transaction.savepoint_rollback(sid)
    return seconds


def best_of(runs: int, measure: Callable[[], float]) -> float:
    """The fastest of ``runs`` measurements (a lower bound is what the machine can do at best)."""
    return min(measure() for _ in range(max(1, runs)))


def ratio(seconds: float, bound: float | None) -> str:
    """``ratio to lower bound: N.N×`` (or a dash when there is no bound to compare with)."""
    if bound is None or bound <= 0:
        return "ratio to lower bound: –"
    return f"ratio to lower bound: {seconds / bound:.1f}×"


def step_line(
    label: str, seconds: float, bound: float | None, note: str = "", width: int = 38
) -> str:
    """One step's line: its time, its lower bound, the ratio, and a note."""
    shown = f"{seconds * 1000:8.1f} ms" if seconds < 1 else f"{seconds:8.2f} s "
    low = (
        "           –"
        if bound is None
        else f"{bound * 1000:8.1f} ms"
        if bound < 1
        else f"{bound:8.2f} s "
    )
    tail = f"   ({note})" if note else ""
    return f"  {label:<{width}} {shown}  lower bound {low}  {ratio(seconds, bound)}{tail}"


def setup(args: argparse.Namespace, workdir: str) -> None:
    os.environ["EXTRAMILE_DATA_DIR"] = workdir
    os.environ.pop("EXTRAMILE_DATABASE_URL", None)
    if args.engine == "postgresql":
        recreate_postgres(args.database_url)
        os.environ["EXTRAMILE_DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "extramile.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def recreate_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_postgres(url: str) -> None:
    from django.db import connections

    connections.close_all()
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}"')


def insert(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write rows fast: ``COPY`` on PostgreSQL, ``executemany`` on SQLite (inside the caller's
    transaction)."""
    from django.db import connection

    names = ", ".join(columns)
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with (
            connection.connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608  (constant text)
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(rows))


def phone_of(n: int) -> str:
    """Customer number ``n``'s phone (E.164, valid for the US; unique up to 8,000,000)."""
    return f"+1202{2_000_000 + n:07d}"


def email_of(n: int, first: str, last: str) -> str:
    """Customer number ``n``'s e-mail, written with capitals as people do."""
    return f"{first}.{last}{n}@Example.com"


CUSTOMER_COLUMNS = (
    "first_name",
    "last_name",
    "preferred_name",
    "company_name",
    "street",
    "city",
    "region",
    "postal_code",
    "country",
    "owner_id",
    "status",
    "birth_month",
    "birth_day",
    "birth_year",
    "language",
    "time_zone",
    "do_not_call",
    "do_not_email",
    "do_not_mail",
    "do_not_text",
    "notes",
    "created_at",
    "updated_at",
    "customer_since",
    "tier",
    "tier_by_hand",
    "last_contact_at",
)


def generate(
    customers: int, reps: int, now: dt.datetime | None = None, seed: int = 1
) -> tuple[list[int], float]:
    """Write reps and their books in big batches; return the rep ids and the seconds it took.

    Reps: their own time zones in turn (``ZONES``). Customers (``rep_ids[n % reps]`` owns number
    ``n``): birthdays spread over the year including 29 February, a customer-since date, 3% former
    customers, 1% do-not-call; tiers 20% A, 30% B, 50% C (set by the nightly rule, not by hand);
    a last contact for 80% spread over the last year (the rest never contacted); a phone for 95%
    (``phone_of``), an e-mail for 60% (``email_of``); 30% with a wedding date, a sale for half of
    them (dated up to today, so recent days have buyers to thank), 5% with an unmet promise due
    between 30 days ago and 60 days ahead, 10% with a pinned fact.
    """
    from django.db import connection, transaction
    from django.utils import timezone

    from extramile.accounts.models import Company, User

    started = time.perf_counter()
    now = now or timezone.now()
    today = now.date()
    Company.get()
    User.objects.bulk_create(
        User(username=f"rep{n}", role="rep", first_name=f"Rep {n}", time_zone=ZONES[n % len(ZONES)])
        for n in range(reps)
    )
    rep_ids = list(User.objects.order_by("id").values_list("id", flat=True))
    rng = random.Random(seed)
    batch = 50_000
    names: list[tuple[str, str]] = []
    with transaction.atomic():
        for begin in range(0, customers, batch):
            rows = []
            for n in range(begin, min(customers, begin + batch)):
                day = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(366))  # 2000 is leap
                first, last = rng.choice(FIRST), rng.choice(LAST)
                names.append((first, last))
                roll = rng.random()
                contact = (
                    now - dt.timedelta(seconds=rng.uniform(3600, 365 * 86400))
                    if rng.random() < 0.8
                    else None
                )
                rows.append(
                    (
                        first,
                        last,
                        "",
                        "",
                        f"{n} Main St",
                        "Springfield",
                        "IL",
                        "62701",
                        "US",
                        rep_ids[n % reps],
                        "former" if n % 33 == 0 else "customer",
                        day.month,
                        day.day,
                        1950 + n % 50 if n % 3 else None,
                        "en",
                        "",
                        n % 97 == 0,
                        False,
                        False,
                        False,
                        "",
                        now,
                        now,
                        dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(9500)),
                        "A" if roll < 0.2 else "B" if roll < 0.5 else "C",
                        False,
                        contact,
                    )
                )
            insert("book_customer", CUSTOMER_COLUMNS, rows)
        with connection.cursor() as cursor:
            cursor.execute("SELECT MIN(id) FROM book_customer")
            first_id = cursor.fetchone()[0]
        phones, emails, key_dates, sales, promises, facts = [], [], [], [], [], []
        sale_days = (today - dt.date(2005, 1, 1)).days + 1
        for n in range(customers):
            cid = first_id + n
            if rng.random() < 0.95:
                phones.append((cid, phone_of(n), "mobile", True))
            if rng.random() < 0.6:
                emails.append((cid, email_of(n, *names[n]), "home", True))
            if n % 2:
                bought = dt.date(2005, 1, 1) + dt.timedelta(days=rng.randrange(sale_days))
                sales.append((cid, bought, "A new car", 25000, now))
            if rng.random() < 0.3:
                day = dt.date(2001, 1, 1) + dt.timedelta(days=rng.randrange(365))
                key_dates.append((cid, "wedding", "", day.month, day.day, 1990 + n % 30))
            if rng.random() < 0.05:
                due = today + dt.timedelta(days=rng.randint(-30, 60))
                promises.append((cid, "promise", "Send the brochure", due, now))
            if rng.random() < 0.1:
                facts.append((cid, "Loves sailing on the lake", "hobby", "", True, now))
        insert("book_phonenumber", ("customer_id", "number", "label", "is_primary"), phones)
        insert("book_emailaddress", ("customer_id", "address", "label", "is_primary"), emails)
        insert("book_keydate", ("customer_id", "kind", "label", "month", "day", "year"), key_dates)
        insert("book_sale", ("customer_id", "date", "description", "amount", "created_at"), sales)
        insert(
            "book_promise", ("customer_id", "kind", "description", "due_on", "created_at"), promises
        )
        insert(
            "book_fact",
            ("customer_id", "text", "category", "tags", "pinned", "created_at"),
            facts,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as a live database would have
    return rep_ids, time.perf_counter() - started


def open_service_requests(rep_ids: list[int], now: dt.datetime, per_rep: int = 3) -> int:
    """A realistic backlog: ``per_rep`` open requests per rep on their own customers, opened over
    the last ten days, through the product's ``open_request`` (so each has its Today action)."""
    from extramile.book.models import Customer
    from extramile.service.services import open_request

    rng = random.Random(3)
    count = 0
    for rep in rep_ids:
        ids = list(Customer.objects.filter(owner_id=rep, status="customer").values_list("pk")[:200])
        for (pk,) in rng.sample(ids, min(per_rep, len(ids))):
            customer = Customer.objects.select_related("owner").get(pk=pk)
            open_request(
                customer=customer,
                subject="The sunroof rattles",
                opened_by=None,
                now=now - dt.timedelta(hours=rng.uniform(1, 240)),
                priority=rng.choice(["urgent", "high", "normal", "normal", "low"]),
            )
            count += 1
    return count


def national(e164: str) -> str:
    """+12022000001 as a person writes it: (202) 200-0001."""
    digits = e164[2:]
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def inbound(
    count: int, start: dt.datetime, end: dt.datetime, seed: int = 5, step: int = 10
) -> list[tuple[Any, int | None]]:
    """``count`` inbound messages received between ``start`` and ``end``, as ``(InboundRow, the
    owner it should reach)``: 65% calls, voicemails and texts from customers' phones (half written
    in national format), 25% e-mails from customers' addresses, 10% from numbers not in the book
    (half of them logged by a rep). Senders are the customers whose id is a multiple of ``step``;
    each row has an external id, as an import would."""
    from django.db import connection

    from extramile.accounts.models import User
    from extramile.inbox.bulk import InboundRow

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.number, c.owner_id FROM book_phonenumber p "
            "JOIN book_customer c ON c.id = p.customer_id WHERE p.customer_id %% %s = 0",
            [step],
        )
        phones = cursor.fetchall()
        cursor.execute(
            "SELECT e.address, c.owner_id FROM book_emailaddress e "
            "JOIN book_customer c ON c.id = e.customer_id WHERE e.customer_id %% %s = 0",
            [step],
        )
        emails = cursor.fetchall()
    rep_ids = list(User.objects.filter(role="rep").values_list("pk", flat=True))
    rng = random.Random(seed)
    span = (end - start).total_seconds()
    rows: list[tuple[Any, int | None]] = []
    for i in range(count):
        received = start + dt.timedelta(seconds=rng.uniform(0, span))
        roll = rng.random()
        logged_by = None
        if roll < 0.65:
            channel = rng.choice(["call", "voicemail", "text", "text"])
            sender, owner = rng.choice(phones)
            if rng.random() < 0.5:
                sender = national(sender)
        elif roll < 0.9:
            channel = "email"
            sender, owner = rng.choice(emails)
        else:
            channel = rng.choice(["call", "text"])
            sender = f"+1312{2_000_000 + rng.randrange(1_000_000):07d}"
            owner = logged_by = rng.choice(rep_ids) if rng.random() < 0.5 else None
        rows.append(
            (
                InboundRow(
                    channel=channel,
                    from_address=sender,
                    received_at=received,
                    summary="Asked about the service plan for the new car; call back please.",
                    owner_id=logged_by,
                    external_id=f"bench-{i}",
                ),
                owner,
            )
        )
    return rows


def teams(rep_ids: list[int], size: int = 10) -> tuple[list[int], int]:
    """Put the reps in teams of ``size`` (``Team 1`` …), each with a manager of its own, and add
    one admin; return the managers' ids (in team order) and the admin's id."""
    from extramile.accounts.models import Team, User

    managers = []
    for number, begin in enumerate(range(0, len(rep_ids), size), start=1):
        team = Team.objects.create(name=f"Team {number}")
        User.objects.filter(pk__in=rep_ids[begin : begin + size]).update(team=team)
        manager = User.objects.create(
            username=f"manager{number}", role="manager", first_name=f"Manager {number}", team=team
        )
        managers.append(manager.pk)
    admin = User.objects.create(username="admin", role="admin", first_name="Admin")
    return managers, admin.pk


def working_days(first: dt.date, last: dt.date) -> list[dt.date]:
    """Monday to Friday from ``first`` to ``last``, both included."""
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    return [day for day in days if day.weekday() < 5]


def at(day: dt.date, hour: float) -> dt.datetime:
    """``hour`` o'clock New York time (UTC−5, near enough) on ``day``, as an aware UTC time."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC) + dt.timedelta(hours=hour + 5)


def reset_sequence(table: str) -> None:
    """After rows written with their own ids: PostgreSQL's next id follows the largest."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608  (constant)
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )


def year_of_history(
    rep_ids: list[int], customers: int, now: dt.datetime, seed: int = 7, done_per_day: int = 15
) -> dict[str, int]:
    """A year of the team's work before ``now``, for every rep, written in big batches; return the
    rows written per table.

    Per rep and working day: ``done_per_day`` actions done (3 of them proactive calls, each with
    its ``outreach_call`` row), one skipped, and one missed on three days in ten (so streaks both
    run and break); 10 cards mailed (10% thank-you notes, 10% a day late, 15% with a guard
    override) and one skipped; 3 inbound messages (90% replied, median ~40 minutes), and a
    check-in on 80% of days. Per rep and week: a resolved service request (5% "went wrong"),
    5 article mailings (70% e-mailed, 15% posted, 15% skipped), a surprise (80% done; one in five
    for a co-worker) and a story (85% for the team, each with 0–4 kudos from other reps). Per rep
    and month: a lunch invitation (70% held). Today: 10 actions still open per rep. The book gets
    referrals (2% of customers referred by another customer of the same rep, rewards none,
    pending, owed or paid) and families (1% parent and child, a third of them with a grandchild).
    """
    from django.db import connection, transaction

    rng = random.Random(seed)
    reps = len(rep_ids)
    per_rep = max(1, customers // reps)
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(id) FROM book_customer")
        first_id = cursor.fetchone()[0]
        cursor.execute("SELECT id, code FROM cards_occasion")
        occasion = {code: pk for pk, code in cursor.fetchall()}

    def customer(rep: int, k: int) -> int:
        """Rep number ``rep``'s ``k``-th customer (in turn through the book)."""
        return first_id + rep + (k % per_rep) * reps

    today = now.date()
    start = today - dt.timedelta(days=365)
    days = working_days(start, today - dt.timedelta(days=1))
    counts: dict[str, int] = {}

    def write(table: str, columns: Sequence[str], rows: list[Sequence[Any]]) -> None:
        insert(table, columns, rows)
        counts[table] = counts.get(table, 0) + len(rows)

    action_columns = (
        "id",
        "key",
        "kind",
        "title",
        "detail",
        "due_on",
        "priority",
        "status",
        "outcome",
        "completed_at",
        "created_at",
        "updated_at",
        "customer_id",
        "owner_id",
        "value_answer",
    )
    call_columns = ("at", "outcome", "note", "action_id", "customer_id", "user_id")
    card_columns = (
        "year",
        "occasion_on",
        "mail_by",
        "status",
        "message",
        "personal",
        "handwritten",
        "override_reason",
        "skip_reason",
        "written_at",
        "mailed_at",
        "created_at",
        "updated_at",
        "customer_id",
        "owner_id",
        "occasion_id",
    )
    message_columns = (
        "channel",
        "received_at",
        "from_address",
        "from_name",
        "summary",
        "reply_due_at",
        "replied_at",
        "response_minutes",
        "breached",
        "source",
        "external_id",
        "created_at",
        "customer_id",
        "owner_id",
        "replied_by_id",
    )
    kinds = ["reach_out", "promise", "cards", "thank_you", "reply", "follow_up", "service"]
    outcomes = ["no_answer", "all_fine", "all_fine", "all_fine", "service_need", "referral"]
    action_id = 0
    card_k = [0] * reps
    with transaction.atomic():
        for day in days:
            actions, calls, cards, messages, checkins = [], [], [], [], []
            for r, owner in enumerate(rep_ids):
                missed = rng.random() < 0.3
                for j in range(done_per_day + 1 + missed):
                    action_id += 1
                    cid = customer(r, rng.randrange(per_rep))
                    status = (
                        "done" if j < done_per_day else "skipped" if j == done_per_day else "missed"
                    )
                    kind = "call" if j < 3 else rng.choice(kinds)
                    done_at = at(day, rng.uniform(8.5, 17.5)) if status != "missed" else None
                    actions.append(
                        (
                            action_id,
                            f"bench:{owner}:{day}:{j}",
                            kind,
                            "Call to see how they are" if kind == "call" else "Reach out",
                            "",
                            day,
                            2,
                            status,
                            "",
                            done_at,
                            at(day, 2),
                            done_at or at(day, 23),
                            cid,
                            owner,
                            "",
                        )
                    )
                    if kind == "call" and status == "done":
                        calls.append((done_at, rng.choice(outcomes), "", action_id, cid, owner))
                for j in range(11):
                    card_k[r] += 1
                    late = rng.random() < 0.1
                    mail_by = (
                        day - dt.timedelta(days=2)
                        if late
                        else day + dt.timedelta(rng.randint(0, 3))
                    )
                    occasion_on = mail_by + dt.timedelta(days=5)
                    roll = rng.random()
                    code = "thank_you" if roll < 0.1 else "wedding" if roll < 0.2 else "birthday"
                    mailed = j < 10
                    override = (
                        "Nothing personal known yet" if mailed and rng.random() < 0.15 else ""
                    )
                    cards.append(
                        (
                            occasion_on.year,
                            occasion_on,
                            mail_by,
                            "mailed" if mailed else "skipped",
                            "Happy birthday!" if code == "birthday" else "With warm wishes",
                            "" if override else "Hope the sailing season was a good one",
                            False,
                            override,
                            "" if mailed else "Moved away",
                            at(day, 10) if mailed else None,
                            at(day, 16) if mailed else None,
                            at(day, -48),
                            at(day, 16),
                            customer(r, card_k[r]),
                            owner,
                            occasion[code],
                        )
                    )
                for _ in range(3):
                    n = rng.randrange(per_rep)
                    received = at(day, rng.uniform(8, 17))
                    replied = rng.random() < 0.9
                    minutes = int(rng.expovariate(1 / 55)) + 1 if replied else None
                    messages.append(
                        (
                            rng.choice(["call", "voicemail", "email", "text"]),
                            received,
                            phone_of(r + (n % per_rep) * reps),
                            "",
                            "Asked about the service plan; call back please.",
                            received + dt.timedelta(hours=1),
                            received + dt.timedelta(minutes=minutes) if minutes else None,
                            minutes,
                            minutes is not None and minutes > 60,
                            "web",
                            "",
                            received,
                            customer(r, n),
                            owner,
                            owner if replied else None,
                        )
                    )
                if rng.random() < 0.8:
                    checkins.append(
                        (
                            day,
                            rng.choice([3, 4, 4, 5, 5, 2]),
                            "Good calls today" if rng.random() < 0.3 else "",
                            at(day, 17),
                            at(day, 17),
                            owner,
                        )
                    )
            write("agenda_action", action_columns, actions)
            write("outreach_call", call_columns, calls)
            write("cards_card", card_columns, cards)
            write("inbox_inboundmessage", message_columns, messages)
            write(
                "culture_checkin",
                ("day", "score", "note", "created_at", "updated_at", "user_id"),
                checkins,
            )
        # Today: the agenda still open.
        actions = []
        for r, owner in enumerate(rep_ids):
            for j in range(10):
                action_id += 1
                actions.append(
                    (
                        action_id,
                        f"bench:{owner}:{today}:{j}",
                        rng.choice(kinds),
                        "Reach out",
                        "",
                        today,
                        2,
                        "open",
                        "",
                        None,
                        at(today, 2),
                        at(today, 2),
                        customer(r, rng.randrange(per_rep)),
                        owner,
                        "",
                    )
                )
        write("agenda_action", action_columns, actions)
        reset_sequence("agenda_action")
        weekly(rep_ids, customer, per_rep, start, today, rng, write)
        family(first_id, customers, reps, today, rng, write)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return counts


def weekly(
    rep_ids: list[int],
    customer: Any,
    per_rep: int,
    start: dt.date,
    today: dt.date,
    rng: random.Random,
    write: Any,
) -> None:
    """The weekly and monthly part of ``year_of_history``."""
    write(
        "articles_article",
        ("title", "url", "summary", "topics", "language", "active", "created_at"),
        [
            (f"Article {n}", f"https://example.com/a/{n}", "", "cars", "en", True, at(start, 0))
            for n in range(50)
        ],
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM articles_article ORDER BY id")
        articles = [pk for (pk,) in cursor.fetchall()]
    monday = start - dt.timedelta(days=start.weekday()) + dt.timedelta(days=7)
    weeks = []
    while monday + dt.timedelta(days=4) < today:
        weeks.append(monday)
        monday += dt.timedelta(days=7)
    requests, mailings, surprises, stories, kudos = [], [], [], [], []
    story_id = 0
    mailing_k = [0] * len(rep_ids)
    for week in weeks:
        for r, owner in enumerate(rep_ids):
            opened = at(week, 10)
            resolved = opened + dt.timedelta(hours=rng.uniform(1, 72))
            requests.append(
                (
                    "The sunroof rattles",
                    "",
                    "normal",
                    "resolved",
                    rng.random() < 0.05,
                    opened,
                    opened + dt.timedelta(minutes=30),
                    resolved,
                    "Fixed the seal",
                    "",
                    240,
                    2880,
                    opened + dt.timedelta(hours=4),
                    opened + dt.timedelta(days=2),
                    0.0,
                    0.0,
                    resolved,
                    owner,
                    customer(r, rng.randrange(per_rep)),
                    owner,
                )
            )
            planned = week + dt.timedelta(days=1)
            for _ in range(5):
                mailing_k[r] += 1
                roll = rng.random()
                status = "sent" if roll < 0.7 else "posted" if roll < 0.85 else "skipped"
                mailings.append(
                    (
                        planned,
                        status,
                        "post" if status == "posted" else "email",
                        False,
                        "",
                        at(planned, 9) if status != "skipped" else None,
                        planned if status != "skipped" else None,
                        at(planned, 2),
                        at(planned, 9),
                        articles[mailing_k[r] // per_rep % len(articles)],
                        customer(r, mailing_k[r]),
                        owner,
                    )
                )
            coworker = rng.random() < 0.2
            done = rng.random() < 0.8
            surprises.append(
                (
                    week,
                    week,
                    "coworker" if coworker else "loyal",
                    "",
                    "A box of cookies" if done else "",
                    at(week, 14 + 48) if done else None,
                    at(week, 2),
                    rep_ids[(r + 1) % len(rep_ids)] if coworker else None,
                    None if coworker else customer(r, rng.randrange(per_rep)),
                    owner,
                )
            )
            story_id += 1
            team = rng.random() < 0.85
            written = week + dt.timedelta(days=3)
            stories.append(
                (
                    story_id,
                    written,
                    "Her car broke down on the way to a wedding",
                    "Drove over a loaner",
                    "She cried",
                    "Keep a loaner ready",
                    "team" if team else "private",
                    at(written, 12),
                    at(written, 12),
                    owner,
                    customer(r, rng.randrange(per_rep)),
                )
            )
            if team:
                for giver in rng.sample(rep_ids, rng.randint(0, 4)):
                    if giver != owner:
                        kudos.append(("Great one", at(written, 15 + 24), giver, story_id))
    write(
        "service_servicerequest",
        (
            "subject",
            "details",
            "priority",
            "status",
            "went_wrong",
            "opened_at",
            "first_response_at",
            "resolved_at",
            "resolution",
            "story",
            "response_target_minutes",
            "resolve_target_minutes",
            "first_response_due_at",
            "resolve_due_at",
            "response_paused_minutes",
            "resolve_paused_minutes",
            "updated_at",
            "assignee_id",
            "customer_id",
            "opened_by_id",
        ),
        requests,
    )
    write(
        "articles_articlemailing",
        (
            "planned_on",
            "status",
            "channel",
            "swapped",
            "reason",
            "sent_at",
            "sent_on",
            "created_at",
            "updated_at",
            "article_id",
            "customer_id",
            "owner_id",
        ),
        mailings,
    )
    write(
        "ideas_surprise",
        (
            "week_start",
            "proposed_on",
            "reason",
            "reason_text",
            "what_was_done",
            "done_at",
            "created_at",
            "coworker_id",
            "customer_id",
            "user_id",
        ),
        surprises,
    )
    write(
        "culture_story",
        (
            "id",
            "date",
            "situation",
            "what_done",
            "reaction",
            "lesson",
            "visibility",
            "created_at",
            "updated_at",
            "author_id",
            "customer_id",
        ),
        stories,
    )
    reset_sequence("culture_story")
    write("culture_kudos", ("message", "created_at", "giver_id", "story_id"), kudos)
    invitations = []
    month = start.replace(day=1)
    while month < today.replace(day=1):
        for r, owner in enumerate(rep_ids):
            roll = rng.random()
            status = "held" if roll < 0.7 else "declined" if roll < 0.85 else "cancelled"
            invitations.append(
                (
                    month,
                    month,
                    rng.choice(["breakfast", "lunch"]),
                    status,
                    month + dt.timedelta(days=rng.randrange(20)) if status == "held" else None,
                    "",
                    at(month, 2),
                    at(month, 9),
                    customer(r, rng.randrange(per_rep)),
                    owner,
                )
            )
        month = (month + dt.timedelta(days=32)).replace(day=1)
    write(
        "value_invitation",
        (
            "period_start",
            "suggested_on",
            "kind",
            "status",
            "meal_on",
            "notes",
            "created_at",
            "updated_at",
            "customer_id",
            "owner_id",
        ),
        invitations,
    )


def family(
    first_id: int, customers: int, reps: int, today: dt.date, rng: random.Random, write: Any
) -> None:
    """Referrals and families (the part of ``year_of_history`` that is about the book)."""
    referrals, relations = [], []
    statuses = ["none", "none", "pending", "owed", "paid"]
    for n in range(reps, customers, 50):  # 2%: referred by the same rep's customer before them
        status = rng.choice(statuses)
        referrals.append(
            (
                today - dt.timedelta(days=rng.randrange(3 * 365)),
                None if status == "none" else 100,
                status,
                today - dt.timedelta(days=rng.randrange(30)) if status == "paid" else None,
                "",
                first_id + n,
                first_id + n - reps,
            )
        )
    for n in range(0, customers - 2, 100):  # 1%: parent and child, a third with a grandchild
        chain = [n, n + 1] + ([n + 2] if n % 3 == 0 else [])
        for older, younger in itertools.pairwise(chain):
            relations.append(("parent", "", first_id + older, first_id + younger))
            relations.append(("child", "", first_id + younger, first_id + older))
    write(
        "book_referral",
        (
            "date",
            "reward_amount",
            "reward_status",
            "reward_paid_on",
            "note",
            "referred_id",
            "referrer_id",
        ),
        referrals,
    )
    write("book_relationship", ("kind", "note", "from_customer_id", "to_customer_id"), relations)
