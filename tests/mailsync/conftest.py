"""A real Dovecot on loopback (started once per test process; each test gets its own IMAP user),
and helpers to write messages and connect a user's mailbox to it."""

from __future__ import annotations

import datetime as dt
import itertools
import tempfile
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

from extramile.mailsync import connections
from extramile.mailsync.models import MailboxConnection, Security
from tests.conftest import NOW
from tests.mailsync.dovecot import BINARY, Dovecot

IMAP_PASSWORD = "tr0ub4dor&3 imap"
ACCENTED_PASSWORD = 'pä"ss\\wörd ☃'  # non-ASCII, a quote and a backslash
USERS = 400  # IMAP accounts on the test server; each test takes fresh ones
_users = itertools.count(1)


@pytest.fixture(scope="session")
def dovecot_server():
    if BINARY is None:
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd): IMAP tests skipped")
    root = Path(tempfile.mkdtemp(prefix="extramile-dovecot-"))
    root.chmod(0o755)  # Dovecot's own user reads its mail under it when run as root
    users = {f"user{n}": IMAP_PASSWORD for n in range(1, USERS + 1)}
    users["accents"] = ACCENTED_PASSWORD
    server = Dovecot(root, users=users)
    server.start()
    yield server
    server.stop()
    import shutil

    shutil.rmtree(root, ignore_errors=True)


class Mailbox:
    """One IMAP account on the test server, and the messages put in it."""

    def __init__(self, server: Dovecot) -> None:
        self.server = server
        self.username = f"user{next(_users)}"
        assert self.username in server.users, "raise USERS in tests/mailsync/conftest.py"

    def put(self, folder: str, raw: bytes, arrived: dt.datetime) -> None:
        self.server.append(self.username, folder, raw, arrived)

    def flags(self, folder: str = "INBOX") -> list[bytes]:
        with self.server.imap(self.username) as client:
            client.select(folder, readonly=True)
            _, data = client.uid("FETCH", "1:*", "(FLAGS)")
        return [item for item in data if isinstance(item, bytes)]

    def settings(self, **changes) -> connections.MailboxSettings:
        values = {
            "host": self.server.host,
            "port": self.server.port,
            "security": Security.NONE,
            "username": self.username,
            "password": IMAP_PASSWORD,
        }
        values.update(changes)
        return connections.MailboxSettings(**values)


@pytest.fixture
def mailbox(dovecot_server) -> Mailbox:
    return Mailbox(dovecot_server)


@pytest.fixture
def connect(mailbox):
    """Connect a user's mailbox (the real test on save), as of ``at``."""

    def _connect(user, at: dt.datetime = NOW, box: Mailbox | None = None) -> MailboxConnection:
        return connections.save(user, (box or mailbox).settings(), at)

    return _connect


def mail(
    *,
    sender: str = "Anna Smith <anna@example.com>",
    to: str = "olivia@harbour.example",
    subject: str = "The brakes squeak again",
    body: str = "Could you call me back about the car?",
    date: dt.datetime | None = None,
    message_id: str | None = "<m1@example.com>",
    headers: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(date or NOW)
    if message_id:
        message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return bytes(message)
