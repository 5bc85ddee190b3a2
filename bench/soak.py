"""Soak test: the whole service on PostgreSQL, under load and faults, for N minutes.

    python bench/soak.py [--customers 1000000] [--minutes 10] [--users 50] [--reps 200]
                         [--web-workers 2] [--kill-every 60] [--no-db-restart] [--keep]
    make soak                      # the defaults: a million customers, ten minutes

What runs, all on loopback:

- a private PostgreSQL cluster (initdb in a temporary directory, as the ``postgres`` user when
  run as root; the machine's shared server is not touched, so restarting it harms no one else);
- two web processes (``extramile serve`` on two ports; the load generator alternates and, as a
  balancer does, sends a request that could not connect, or lost its connection, to the other);
- two workers (``extramile worker``), an aiosmtpd SMTP sink, and the Dovecot test server
  (tests/mailsync/dovecot.py) holding five reps' mailboxes when Dovecot is installed;
- a generated book (bench/common.py: ``--customers``, default 1,000,000) with an article library;
- ``--users`` simulated people (default 50), each a rep logged in through the login form, going
  through Today, the customer list, a search, a customer page and the Inbox, and through the JSON
  API: inbound messages (with an external id), sales and action completions (each POST with an
  Idempotency-Key, retried on a lost connection as an integration would); one person in five
  pauses about a second between steps, the others about five;
- the scheduler's own work: the nightly plan of each of the reps' five time zones, each rep's
  digest (due during the run), the outbox every minute, mailbox polls every minute; plus
  ``extramile articles send`` once (the article mail) and e-mails appended to the mailboxes;
- a fault injector: every ``--kill-every`` seconds (60) ``kill -9`` of a random web or worker
  process (its whole process group: the gunicorn master and its workers), restarted by the
  supervisor; and once, a third of the way in, a restart of PostgreSQL.

At the end (load stopped, queues drained: at least five minutes, and while they
keep going down) it checks and prints: requests
and errors (a 5xx outside the database restart window is a violation), every inbound message
stored once with its reply clock, every sale with exactly one thank-you note, every e-mail the
outbox queued delivered once or left ``unknown`` (never twice, never lost), each zone's plan run
once for the day, the mailbox messages each stored once, p95 per page during faults and outside
them; and scans every process's log for the customers' names and e-mail addresses and the
messages' words. Exits 1 on any violation. Writes everything under a temporary directory
(``--keep`` keeps it and prints where).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import common  # noqa: E402  (the shared generator, beside this file)

PASSWORD = "soak-password-1"  # noqa: S105
METRICS_TOKEN = "soak-metrics-token-0123456789"  # noqa: S105
BIN = Path(sys.executable).parent
MAILBOXES = 5
ARTICLES = """title,url,summary,topics
Winter tyres explained,https://articles.example/winter-tyres,What to look for,cars
Keeping a battery alive,https://articles.example/battery,Cold mornings,cars
Road trips with children,https://articles.example/road-trips,Ten tips,travel
The quiet cabin,https://articles.example/quiet-cabin,Noise and comfort,cars
Service intervals,https://articles.example/service,When and why,cars
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


# --- PostgreSQL ------------------------------------------------------------------------------


class Postgres:
    """A private cluster: its own data directory, port and socket directory."""

    def __init__(self, root: Path) -> None:
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not versions:
            sys.exit("soak: PostgreSQL's server programs (initdb) are not installed")
        self.bin = versions[-1].parent
        self.root = root
        self.data = root / "pgdata"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/extramile"
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:
            self.as_postgres = ["runuser", "-u", "postgres", "--"]
            root.chmod(0o755)

    def run(self, *args: str) -> None:
        # Not captured: the server started by pg_ctl would hold the pipe open.
        subprocess.run(
            [*self.as_postgres, *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def start(self) -> None:
        self.data.mkdir()
        if self.as_postgres:
            shutil.chown(self.data, "postgres", "postgres")
        self.run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust")
        options = (
            f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c max_connections=300"
            " -c shared_buffers=256MB -c jit=off"
        )
        self.run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
            str(self.data / "server.log"), "-w", "start",
        )  # fmt: skip
        import psycopg

        with psycopg.connect(
            f"postgres://postgres@127.0.0.1:{self.port}/postgres", autocommit=True
        ) as conn:
            conn.execute("CREATE DATABASE extramile")

    def restart(self) -> None:
        self.run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-l",
            str(self.data / "server.log"), "-w", "restart",
        )  # fmt: skip

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")


# --- SMTP sink -------------------------------------------------------------------------------


class Sink:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.message_ids: Counter[str] = Counter()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email import message_from_bytes

        message = message_from_bytes(envelope.content)
        with self.lock:
            self.message_ids[(message.get("Message-ID") or "").strip().strip("<>")] += 1
        return "250 OK"


# --- the supervisor --------------------------------------------------------------------------


@dataclass
class Service:
    name: str
    argv: list[str]
    env: dict[str, str]
    logfile: Path
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    killed: int = 0

    def start(self) -> None:
        with open(self.logfile, "ab") as out:
            self.process = subprocess.Popen(
                self.argv, env=self.env, stdout=out, stderr=out, start_new_session=True
            )

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.killed += 1

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
                self.process.wait(10)


class Supervisor(threading.Thread):
    """Restarts any service that stopped, as systemd's Restart=always would."""

    def __init__(self, services: list[Service]) -> None:
        super().__init__(daemon=True)
        self.services = services
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(0.5):
            for service in self.services:
                if service.process is not None and service.process.poll() is not None:
                    service.restarts += 1
                    service.start()


# --- the load --------------------------------------------------------------------------------


@dataclass
class Sample:
    at: float
    page: str
    status: int
    seconds: float


@dataclass
class Intent:
    """A write the load meant to make, and whether the service acknowledged it."""

    kind: str
    key: str
    body: dict[str, Any]
    acknowledged: bool = False
    status: int = 0
    answer: dict[str, Any] = field(default_factory=dict)


class Load:
    def __init__(self, ports: list[int], args: argparse.Namespace, plan: dict[str, Any]) -> None:
        self.ports = ports
        self.args = args
        self.plan = plan
        self.samples: list[Sample] = []
        self.intents: list[Intent] = []
        self.failures: list[str] = []  # transport failures retried on the other web process
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def record(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)

    def send(
        self,
        opener: urllib.request.OpenerDirector,
        turn: int,
        page: str,
        path: str,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        deadline: float = 90.0,
    ) -> tuple[int, bytes]:
        """One request, to one web process and then the other while they cannot be reached (a
        balancer's retry); gives up after ``deadline`` seconds."""
        given_up = time.monotonic() + deadline
        attempt = 0
        while True:
            port = self.ports[(turn + attempt) % len(self.ports)]
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}", data=data, headers=headers or {}
            )
            started = time.perf_counter()
            try:
                with opener.open(request, timeout=60) as response:
                    body = response.read()
                    status = response.status
            except urllib.error.HTTPError as error:
                body, status = error.read(), error.code
            except (OSError, http_errors()) as error:
                with self.lock:
                    self.failures.append(f"{page} on :{port}: {error.__class__.__name__}")
                attempt += 1
                if time.monotonic() > given_up or (self.stopping.is_set() and attempt > 20):
                    self.record(Sample(time.time(), page, 599, time.perf_counter() - started))
                    return 599, b""
                time.sleep(0.2 if attempt % 2 else 1.0)
                continue
            self.record(Sample(time.time(), page, status, time.perf_counter() - started))
            return status, body

    def user(self, n: int) -> None:
        rng = random.Random(n)
        rep = self.plan["reps"][n % len(self.plan["reps"])]
        username, secret, customers = rep["username"], rep["token"], rep["customers"]
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        think = 1.0 if n % 5 == 0 else 5.0
        turn = n
        time.sleep(rng.uniform(0, 5))
        logged_in = False
        api = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
        while not self.stopping.is_set():
            turn += 1
            if not logged_in:
                logged_in = self.login(opener, turn, username)
                if not logged_in:
                    time.sleep(2)
                    continue
            roll = rng.random()
            customer = rng.choice(customers)
            if roll < 0.2:
                self.send(opener, turn, "Today", "/")
            elif roll < 0.35:
                self.send(opener, turn, "Customers", "/customers/")
            elif roll < 0.45:
                self.send(opener, turn, "Search", "/customers/?q=" + rng.choice(common.LAST))
            elif roll < 0.6:
                self.send(opener, turn, "Customer page", f"/customers/{customer['id']}/")
            elif roll < 0.68:
                self.send(opener, turn, "Inbox", "/inbox/")
            elif roll < 0.8:
                key = f"soak-in-{uuid.uuid4().hex}"
                body = {
                    "channel": "email" if customer["email"] else "call",
                    "from": customer["email"] or customer["phone"],
                    "summary": f"Soak body {key} asks about the winter service",
                    "external_id": key,
                }
                self.write(opener, turn, "API inbound", "/api/inbound", "inbound", key, body, api)
            elif roll < 0.9:
                key = f"soak-sale-{uuid.uuid4().hex}"
                body = {
                    "customer": customer["id"],
                    "date": dt.datetime.now(dt.UTC).date().isoformat(),
                    "description": f"Soak sale {key[-12:]}",
                    "amount": "120.00",
                }
                self.write(opener, turn, "API sale", "/api/sales", "sale", key, body, api)
            else:
                status, page = self.send(
                    opener, turn, "API today", "/api/actions/today?limit=20", headers=api
                )
                if status == 200:
                    actions = json.loads(page)["results"]
                    if actions:
                        action = rng.choice(actions)
                        key = f"soak-done-{uuid.uuid4().hex}"
                        body = {"outcome": "Done in the soak", "value_answer": "A better visit"}
                        self.write(
                            opener, turn, "API done",
                            f"/api/actions/{action['id']}/complete", "done", key, body, api,
                        )  # fmt: skip
            if self.stopping.wait(rng.uniform(0.5, 1.5) * think):
                return

    def login(self, opener: urllib.request.OpenerDirector, turn: int, username: str) -> bool:
        status, page = self.send(opener, turn, "Log in", "/login/")
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not found:
            return False
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": found.group(1).decode(), "username": username,
             "password": PASSWORD}
        ).encode()  # fmt: skip
        status, _ = self.send(
            opener, turn, "Log in", "/login/", data=data,
            headers={"Referer": f"http://127.0.0.1:{self.ports[turn % 2]}/login/"},
        )  # fmt: skip
        return status == 200

    def write(
        self,
        opener: urllib.request.OpenerDirector,
        turn: int,
        page: str,
        path: str,
        kind: str,
        key: str,
        body: dict[str, Any],
        api: dict[str, str],
    ) -> None:
        intent = Intent(kind, key, body)
        with self.lock:
            self.intents.append(intent)
        given_up = time.monotonic() + 150
        while True:
            status, answer = self.send(
                opener, turn, page, path, json.dumps(body).encode(),
                {**api, "Idempotency-Key": key}, deadline=150,
            )  # fmt: skip
            intent.status = status
            # An integration retries a server error with the same Idempotency-Key: safe, the
            # service answers a retried key with the first answer.
            if status < 500 or time.monotonic() > given_up:
                break
            turn += 1
            time.sleep(1)
        if status in (200, 201):
            intent.acknowledged = True
            intent.answer = json.loads(answer)


def http_errors() -> type[Exception]:
    import http.client

    return http.client.HTTPException


# --- set-up ----------------------------------------------------------------------------------


def prepare(args: argparse.Namespace, workdir: Path, db_url: str, now: dt.datetime) -> dict:
    """Generate the book in this process, then hand the database to the service."""
    os.environ["EXTRAMILE_DATA_DIR"] = str(workdir)
    os.environ["EXTRAMILE_DATABASE_URL"] = db_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "extramile.settings"
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # once: serve starts at once
    from extramile.accounts.models import User
    from extramile.api.tokens import issue
    from extramile.book.models import Customer, EmailAddress, PhoneNumber

    rep_ids, seconds = common.generate(args.customers, args.reps, now=now)
    log(f"generated {args.customers:,} customers for {args.reps} reps in {seconds:.0f} s")
    User.objects.update(password=make_password(PASSWORD))
    for user in User.objects.filter(pk__in=rep_ids):
        zone = zoneinfo.ZoneInfo(user.time_zone or "America/New_York")
        local = now.astimezone(zone) + dt.timedelta(minutes=2)
        user.email = f"{user.username}@soak.example"
        user.digest_at = local.time().replace(second=0, microsecond=0)
        user.save(update_fields=["email", "digest_at"])
    (workdir / "articles.csv").write_text(ARTICLES)
    call_command("articles", "import", str(workdir / "articles.csv"), verbosity=0)
    reps = []
    for rep_id in rep_ids[: args.users]:
        user = User.objects.get(pk=rep_id)
        ids = list(Customer.objects.filter(owner=user).values_list("pk", flat=True)[:200])
        emails = dict(
            EmailAddress.objects.filter(customer_id__in=ids).values_list("customer_id", "address")
        )
        phones = dict(
            PhoneNumber.objects.filter(customer_id__in=ids).values_list("customer_id", "number")
        )
        names = {
            pk: f"{first} {last}"
            for pk, first, last in Customer.objects.filter(pk__in=ids).values_list(
                "pk", "first_name", "last_name"
            )
        }
        _, secret = issue(f"Soak {user.username}", now, user=user)
        reps.append(
            {
                "id": user.pk,
                "username": user.username,
                "token": secret,
                "customers": [
                    {"id": pk, "email": emails.get(pk, ""), "phone": phones.get(pk, ""),
                     "name": names[pk]}
                    for pk in ids
                    if emails.get(pk) or phones.get(pk)
                ],
            }
        )  # fmt: skip
    from django.db import connections

    connections.close_all()
    return {"reps": reps, "rep_ids": rep_ids}


def connect_mailboxes(plan: dict, dovecot: Any, now: dt.datetime) -> None:
    from extramile.mailsync import crypto
    from extramile.mailsync.models import MailboxConnection, Security

    for rep in plan["reps"][:MAILBOXES]:
        MailboxConnection.objects.create(
            user_id=rep["id"],
            host=dovecot.host,
            port=dovecot.port,
            security=Security.NONE,
            username=rep["username"],
            password_encrypted=crypto.encrypt(dovecot.users[rep["username"]]),
            sent_folder="Sent",
            since=now - dt.timedelta(hours=1),
            connected_at=now,
            updated_at=now,
        )


def mail_writer(
    dovecot: Any, plan: dict, stopping: threading.Event, sent: list[tuple[str, str]]
) -> None:
    """A customer's e-mail lands in one of the five mailboxes every few seconds."""
    rng = random.Random(7)
    reps = plan["reps"][:MAILBOXES]
    while not stopping.wait(rng.uniform(3, 8)):
        rep = rng.choice(reps)
        customer = rng.choice([c for c in rep["customers"] if c["email"]])
        message = EmailMessage()
        message_id = f"soak-{uuid.uuid4().hex}@customer.example"
        message["From"] = f"{customer['name']} <{customer['email']}>"
        message["To"] = f"{rep['username']}@soak.example"
        message["Subject"] = "A question about my car"
        message["Message-ID"] = f"<{message_id}>"
        message["Date"] = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime())
        message.set_content(f"Soak body {message_id}: can you call me back?")
        try:
            dovecot.append(rep["username"], "INBOX", message.as_bytes(), dt.datetime.now(dt.UTC))
            sent.append((rep["username"], message_id))
        except Exception as error:  # Dovecot is not under test; say so and go on
            log(f"mailbox append failed: {error}")


# --- checks ----------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] * 1000


def check(
    load: Load,
    sink: Sink,
    appended: list[tuple[str, str]],
    faults: list[tuple[float, str]],
    db_window: tuple[float, float] | None,
    started: dt.datetime,
    logs: list[Path],
) -> list[str]:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from extramile.agenda.models import ScheduledRun
    from extramile.book.models import Sale
    from extramile.cards.models import Card
    from extramile.cards.thanks import note_occasion
    from extramile.inbox.models import InboundMessage, Source
    from extramile.mailsync.models import MailboxConnection, SeenMessage
    from extramile.outbox.models import OutboxMessage, Status

    violations: list[str] = []

    # Requests.
    codes = Counter(sample.status // 100 for sample in load.samples)
    log(
        f"requests: {len(load.samples):,} answered; 2xx {codes[2]:,}, 3xx {codes[3]:,}, "
        f"4xx {codes[4]:,}, 5xx {codes[5]:,}; gave up {sum(1 for s in load.samples if s.status == 599)}; "
        f"lost connections retried on the other web process: {len(load.failures):,}"
    )
    grace = 5.0
    outside = [
        s
        for s in load.samples
        if 500 <= s.status < 599
        and not (db_window and db_window[0] - grace <= s.at <= db_window[1] + 30)
    ]
    if outside:
        violations.append(
            f"{len(outside)} server errors outside the database restart: "
            + ", ".join(sorted({f"{s.page} {s.status}" for s in outside}))
        )
    gave_up = [s for s in load.samples if s.status == 599]
    if gave_up:
        violations.append(f"{len(gave_up)} requests never answered by either web process")
    unauthorised = [s for s in load.samples if s.status in (401, 403)]
    if unauthorised:
        violations.append(f"{len(unauthorised)} requests refused (401/403)")

    refused = Counter(f"{s.page} {s.status}" for s in load.samples if 400 <= s.status < 500)
    if refused:
        log("4xx: " + ", ".join(f"{k} ×{v}" for k, v in sorted(refused.items())))
    unanswered = [i for i in load.intents if not i.acknowledged and i.status >= 500]
    if unanswered:
        violations.append(f"{len(unanswered)} API writes never answered but with a server error")

    # Inbound messages: stored once each, with a reply clock.
    inbound = [i for i in load.intents if i.kind == "inbound"]
    keys = [i.key for i in inbound]
    stored = Counter(
        InboundMessage.objects.filter(external_id__in=keys).values_list("external_id", flat=True)
    )
    clocks = InboundMessage.objects.filter(external_id__in=keys, reply_due_at__isnull=True).count()
    missing = [i.key for i in inbound if i.acknowledged and stored[i.key] != 1]
    doubled = [key for key, count in stored.items() if count > 1]
    log(
        f"inbound (API): {len(inbound)} sent, {sum(i.acknowledged for i in inbound)} acknowledged, "
        f"{sum(stored.values())} stored, {len(doubled)} twice, {clocks} without a reply clock"
    )
    if missing or doubled or clocks:
        violations.append(
            f"inbound: {len(missing)} lost, {len(doubled)} doubled, {clocks} no clock"
        )

    # Sales: one row each, one thank-you note each.
    sales = [i for i in load.intents if i.kind == "sale"]
    rows = Counter(
        Sale.objects.filter(description__in=[i.body["description"] for i in sales]).values_list(
            "description", flat=True
        )
    )
    lost = [i for i in sales if i.acknowledged and rows[i.body["description"]] != 1]
    doubled_sales = [d for d, count in rows.items() if count > 1]
    sale_ids = list(
        Sale.objects.filter(description__in=list(rows)).values_list("pk", "customer_id", "date")
    )
    # A second sale to the same customer on the same day is thanked in the first one's note.
    occasion = note_occasion()
    unthanked = [
        (customer_id, day)
        for customer_id, day in {(customer_id, day) for _, customer_id, day in sale_ids}
        if Card.objects.filter(customer_id=customer_id, occasion=occasion, occasion_on=day).count()
        != 1
    ]
    log(
        f"sales (API): {len(sales)} sent, {sum(i.acknowledged for i in sales)} acknowledged, "
        f"{sum(rows.values())} stored, {len(doubled_sales)} twice, "
        f"{len(unthanked)} without exactly one thank-you note"
    )
    if lost or doubled_sales or unthanked:
        violations.append(
            f"sales: {len(lost)} lost, {len(doubled_sales)} doubled, {len(unthanked)} notes wrong"
        )

    done = [i for i in load.intents if i.kind == "done"]
    log(f"actions completed (API): {sum(i.acknowledged for i in done)} of {len(done)} acknowledged")

    # Mailboxes: each appended message stored once.
    if appended:
        from extramile.mailsync.parse import key_for

        seen = Counter(
            SeenMessage.objects.filter(key__in=[key_for(mid) for _, mid in appended]).values_list(
                "key", flat=True
            )
        )
        unseen = [(user, mid) for user, mid in appended if seen[key_for(mid)] != 1]
        doubled_mail = [mid for _, mid in appended if seen[key_for(mid)] > 1]
        # A poll killed mid-way keeps its mailbox claimed for 15 minutes (mailsync's
        # CLAIM_EXPIRES): its new mail is read then. Waiting, not lost.
        stale = set(
            MailboxConnection.objects.filter(
                polling_since__lt=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)
            ).values_list("user__username", flat=True)
        )
        waiting = [mid for user, mid in unseen if user in stale and seen[key_for(mid)] == 0]
        lost_mail = len(unseen) - len(waiting)
        from_mail = InboundMessage.objects.filter(source=Source.MAILBOX).count()
        log(
            f"mailboxes: {len(appended)} e-mails delivered to Dovecot, "
            f"{len(appended) - len(unseen)} read once, {from_mail} inbound messages from them, "
            f"{len(waiting)} waiting in {len(stale)} mailbox(es) whose poll was killed"
        )
        if lost_mail or doubled_mail or from_mail != len(appended) - len(waiting):
            violations.append(
                f"mailboxes: {lost_mail} e-mails not read, {len(doubled_mail)} read twice, "
                f"{from_mail} inbound messages for {len(appended) - len(waiting)} e-mails read"
            )

    # The outbox: sent once, or left unknown; never twice.
    rows_by_state = Counter(
        OutboxMessage.objects.filter(queued_at__gte=started).values_list("status", flat=True)
    )
    kinds = Counter(
        OutboxMessage.objects.filter(queued_at__gte=started).values_list("kind", flat=True)
    )
    twice = [mid for mid, count in sink.message_ids.items() if count > 1]
    sent_ids = list(
        OutboxMessage.objects.filter(queued_at__gte=started, status=Status.SENT).values_list(
            "message_id", flat=True
        )
    )
    not_received = [mid for mid in sent_ids if sink.message_ids[mid.strip("<>")] != 1]
    log(
        "outbox: "
        + ", ".join(f"{state} {count:,}" for state, count in sorted(rows_by_state.items()))
        + f" ({', '.join(f'{k} {c:,}' for k, c in sorted(kinds.items()))}); "
        f"the SMTP sink received {sum(sink.message_ids.values()):,}, {len(twice)} twice"
    )
    pending = sum(rows_by_state[s] for s in (Status.QUEUED, Status.SENDING, Status.FAILED))
    if twice or not_received or pending:
        violations.append(
            f"outbox: {len(twice)} delivered twice, {len(not_received)} marked sent but not "
            f"received once, {pending} still queued, sending or failed"
        )

    # The nightly plan: one per zone and day, run to the end.
    runs = list(ScheduledRun.objects.filter(key__startswith="plan:").values_list("key", "task_id"))
    tasks = {
        str(pk): (status, len(workers))
        for pk, status, workers in DBTaskResult.objects.filter(
            pk__in=[task for _, task in runs]
        ).values_list("pk", "status", "worker_ids")
    }
    plan_tasks = DBTaskResult.objects.filter(task_path__endswith=".plan_zone").values("args_kwargs")
    per_zone_day = Counter(json.dumps(row["args_kwargs"]["args"]) for row in plan_tasks)
    unfinished = [
        key for key, task in runs if tasks.get(task, ("",))[0] != TaskResultStatus.SUCCESSFUL
    ]
    rerun = sum(1 for status, workers in tasks.values() if workers > 1)
    log(
        f"nightly plans: {len(runs)} zone-days ({', '.join(sorted(k for k, _ in runs))}); "
        f"{len(unfinished)} unfinished; {rerun} taken over from a killed worker"
    )
    if unfinished or any(count != 1 for count in per_zone_day.values()):
        violations.append(f"plans: {len(unfinished)} unfinished, enqueued twice: "
                          f"{[k for k, c in per_zone_day.items() if c != 1]}")  # fmt: skip
    digests = ScheduledRun.objects.filter(key__startswith="digest:").count()
    log(f"digests claimed: {digests}; outbox digests: {kinds.get('digest', 0)}")

    # Latency: p95 per page, during faults (the 20 s after each) and outside them.
    def faulty(at: float) -> bool:
        return any(moment <= at <= moment + 20 for moment, _ in faults)

    pages = sorted({s.page for s in load.samples})
    log(f"{'page':<16}{'n':>8}{'p50 ms':>9}{'p95 ms':>9}{'p95 in faults':>15}{'p95 outside':>13}")
    for page in pages:
        ok = [s for s in load.samples if s.page == page and s.status < 500]
        inside = [s.seconds for s in ok if faulty(s.at)]
        rest = [s.seconds for s in ok if not faulty(s.at)]
        every = [s.seconds for s in ok]
        log(
            f"{page:<16}{len(ok):>8}{percentile(every, 50):>9.0f}{percentile(every, 95):>9.0f}"
            f"{percentile(inside, 95):>15.0f}{percentile(rest, 95):>13.0f}"
        )

    # Personal data in the logs (INFO and up): the touched customers' names and addresses, the
    # messages' words.
    words = {"Soak body"}
    for intent in load.intents:
        if intent.kind == "inbound":
            words.add(intent.body["from"])
    for rep in load.plan["reps"]:
        for customer in rep["customers"][:50]:
            words.add(customer["name"])
            if customer["email"]:
                words.add(customer["email"])
        words.add(f"{rep['username']}@soak.example")
    leaks: Counter[str] = Counter()
    lines = 0
    for path in logs:
        if not path.exists():
            continue
        text = path.read_text(errors="replace")
        lines += text.count("\n")
        lowered = text.lower()
        for word in words:
            if word and word.lower() in lowered:
                leaks[word] += 1
    log(
        f"logs: {lines:,} lines in {len(logs)} files scanned for {len(words):,} names and addresses"
    )
    if leaks:
        violations.append(f"personal data in the logs: {sorted(leaks)[:10]}")
    return violations


DRAIN_SECONDS = 300  # the least it waits
STALLED_SECONDS = 180  # it stops waiting when nothing moved for this long (the outbox sends
# a batch a minute; a killed worker's plan is taken over after two minutes)
DRAIN_MOST_SECONDS = 1800


def drain(appended: list[tuple[str, str]]) -> None:
    """Wait for the workers to finish what was queued: the outbox, the plans, the mailboxes.

    At least five minutes, and for as long as the queues keep going down (at most half an hour):
    the article mail of a million-customer book is thousands of e-mails, which the outbox sends
    at ``Company.emails_per_minute`` (600) a minute by design. Waiting is not losing; what is
    still queued when nothing has moved for three minutes is reported."""
    from django.db import close_old_connections
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from extramile.mailsync.models import SeenMessage
    from extramile.mailsync.parse import key_for
    from extramile.outbox.models import OutboxMessage, Status

    started = time.monotonic()
    moved = started
    last: tuple[int, int, int] | None = None
    while True:
        now = time.monotonic()
        if now - started > DRAIN_MOST_SECONDS or (
            now - started > DRAIN_SECONDS and now - moved > STALLED_SECONDS
        ):
            log(f"drain: stopped after {(now - started) / 60:.1f} min")
            return
        close_old_connections()
        try:
            queued = OutboxMessage.objects.filter(
                status__in=[Status.QUEUED, Status.SENDING]
            ).count()
            busy = DBTaskResult.objects.filter(
                status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
                task_path__endswith=".plan_zone",
            ).count()
            unread = (
                len(appended)
                - SeenMessage.objects.filter(key__in=[key_for(mid) for _, mid in appended]).count()
            )
        except Exception as error:
            log(f"drain: {error.__class__.__name__}")
            time.sleep(2)
            continue
        if not queued and not busy and unread <= 0:
            log(f"drained in {(time.monotonic() - started) / 60:.1f} min")
            return
        if (queued, busy, unread) != last:
            moved, last = time.monotonic(), (queued, busy, unread)
        log(f"draining: {queued} e-mails queued or sending, {busy} plans, {unread} e-mails unread")
        time.sleep(10)


def send_articles(env: dict[str, str]) -> None:
    """``extramile articles send``, as cron runs it: again a little later if it failed (the
    database restarting under it); a second run queues nothing twice (the outbox key)."""
    for attempt in range(3):
        result = subprocess.run(
            [str(BIN / "extramile"), "articles", "send"],
            env=env, capture_output=True, text=True, timeout=1800, check=False,
        )  # fmt: skip
        log(f"articles send: {result.stdout.strip() or result.stderr.strip()}")
        if result.returncode == 0:
            return
        time.sleep(30 * (attempt + 1))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn processes per web")
    parser.add_argument("--kill-every", type=float, default=60, help="seconds between kills")
    parser.add_argument(
        "--worker-nice", type=int, default=10, help="the workers' CPU niceness (0: as the web)"
    )
    parser.add_argument("--no-db-restart", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the logs and the database")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="extramile-soak-"))
    postgres = Postgres(workdir)
    services: list[Service] = []
    supervisor = None
    dovecot = None
    controller = None
    violations: list[str] = ["the soak did not finish"]
    try:
        log(f"working in {workdir}; {common.machine_speed()}")
        postgres.start()
        log(f"PostgreSQL {postgres.bin.parent.name} on port {postgres.port}")
        now = dt.datetime.now(dt.UTC)
        plan = prepare(args, workdir, postgres.url, now)

        from aiosmtpd.controller import Controller

        sink = Sink()
        controller = Controller(sink, hostname="127.0.0.1", port=free_port())
        controller.start()

        appended: list[tuple[str, str]] = []
        try:
            from tests.mailsync.dovecot import BINARY, Dovecot
        except ImportError:
            BINARY = None
        if BINARY:
            (workdir / "dovecot").mkdir()
            dovecot = Dovecot(
                workdir / "dovecot",
                users={
                    rep["username"]: f"pw-{rep['username']}" for rep in plan["reps"][:MAILBOXES]
                },
            )
            dovecot.start()
            connect_mailboxes(plan, dovecot, now)
            log(f"Dovecot on port {dovecot.port} with {MAILBOXES} mailboxes")
        else:
            log("Dovecot is not installed: no mailbox polls")

        env = {
            **os.environ,
            "EXTRAMILE_DATA_DIR": str(workdir),
            "EXTRAMILE_DATABASE_URL": postgres.url,
            "EXTRAMILE_EMAIL_URL": f"smtp://127.0.0.1:{controller.port}?from=Soak%20<crm@soak.example>",
            "EXTRAMILE_LOG_FORMAT": "json",
            "EXTRAMILE_LOG_LEVEL": "INFO",
            "EXTRAMILE_METRICS_TOKEN": METRICS_TOKEN,
            "EXTRAMILE_MAILBOX_POLL_MINUTES": "1",
        }
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        ports = [free_port(), free_port()]
        for n, port in enumerate(ports):
            services.append(
                Service(
                    f"web{n}",
                    [str(BIN / "extramile"), "serve", "--no-collectstatic", "--port", str(port), "--workers",
                     str(args.web_workers)],
                    env, workdir / f"web{n}.log",
                )
            )  # fmt: skip
        for n in range(2):
            services.append(
                Service(
                    f"worker{n}",
                    # Web first: the workers run at a lower CPU priority, as the systemd unit in
                    # docs/operations.md has them (Nice=10), and the second takes the quick jobs
                    # only (e-mail, digests, polls: --queues default), so a night of plans keeps
                    # one worker and about one core, and the pages the rest.
                    [
                        "nice",
                        "-n",
                        str(args.worker_nice),
                        str(BIN / "extramile"),
                        "worker",
                        "--tick",
                        "5",
                        *(["--queues", "default"] if n else []),
                    ],
                    env,
                    workdir / f"worker{n}.log",
                )
            )
        for service in services:
            service.start()
        for port in ports:
            for _ in range(300):
                with contextlib.suppress(OSError):
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
                    break
                time.sleep(0.2)
        supervisor = Supervisor(services)
        supervisor.start()
        log(f"two web processes on {ports}, two workers; {args.users} users for {args.minutes} min")

        load = Load(ports, args, plan)
        threads = [threading.Thread(target=load.user, args=(n,)) for n in range(args.users)]
        for thread in threads:
            thread.start()
        mail_stop = threading.Event()
        mailer = None
        if dovecot is not None:
            mailer = threading.Thread(target=mail_writer, args=(dovecot, plan, mail_stop, appended))
            mailer.start()

        began = time.monotonic()
        end = began + args.minutes * 60
        faults: list[tuple[float, str]] = []
        db_window: tuple[float, float] | None = None
        rng = random.Random(11)
        next_kill = began + args.kill_every
        db_restart_at = None if args.no_db_restart else began + args.minutes * 60 / 3
        articles_at = began + args.minutes * 60 / 4
        while time.monotonic() < end:
            moment = time.monotonic()
            if moment >= next_kill:
                victim = rng.choice(services)
                victim.kill()
                faults.append((time.time(), f"kill -9 {victim.name}"))
                log(f"fault: kill -9 {victim.name}")
                next_kill += args.kill_every
            if db_restart_at and moment >= db_restart_at:
                db_restart_at = None
                log("fault: restarting PostgreSQL")
                began_restart = time.time()
                postgres.restart()
                db_window = (began_restart, time.time())
                faults.append((began_restart, "PostgreSQL restart"))
                log(f"PostgreSQL back after {db_window[1] - db_window[0]:.1f} s")
            if articles_at and moment >= articles_at:
                articles_at = 0
                # The operator's cron job, beside the load (it sends for minutes at a million).
                threading.Thread(target=send_articles, args=(env,), daemon=True).start()
            time.sleep(1)

        log("load stopping")
        load.stopping.set()
        mail_stop.set()
        for thread in threads:
            thread.join(timeout=200)
        if mailer:
            mailer.join(timeout=30)
        metrics = urllib.request.Request(
            f"http://127.0.0.1:{ports[0]}/metrics",
            headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
        )
        with contextlib.suppress(OSError):
            text = urllib.request.urlopen(metrics, timeout=30).read().decode()  # noqa: S310
            shown = [
                line for line in text.splitlines()
                if line.startswith(("extramile_outbox", "extramile_task_queue", "extramile_workers"))
            ]  # fmt: skip
            log("metrics: " + "; ".join(shown))
        drain(appended)
        supervisor.stopping.set()
        for service in services:
            service.stop()
        log(
            "faults: "
            + ", ".join(f"{s.name} killed {s.killed}, restarted {s.restarts}" for s in services)
        )
        from django.db import close_old_connections

        close_old_connections()
        violations = check(
            load, sink, appended, faults, db_window, now, [s.logfile for s in services]
        )
    finally:
        if supervisor:
            supervisor.stopping.set()
        for service in services:
            service.stop()
        if dovecot is not None:
            dovecot.stop()
        if controller is not None:
            controller.stop()
        from django.db import connections

        with contextlib.suppress(Exception):
            connections.close_all()
        if args.keep:
            log(f"kept {workdir} (PostgreSQL stopped; start it with pg_ctl -D {postgres.data})")
            postgres.stop()
        else:
            postgres.stop()
            shutil.rmtree(workdir, ignore_errors=True)
    if violations:
        for violation in violations:
            log(f"VIOLATION: {violation}")
        sys.exit(1)
    log("no violations")


if __name__ == "__main__":
    main()
