"""Talking to an IMAP server (stdlib ``imaplib``): connecting with TLS, STARTTLS or (on loopback
only) nothing, logging in, finding folders, and reading new messages without marking them read
(folders are opened read-only and bodies fetched with BODY.PEEK).

Every failure becomes a ``MailboxError`` with a sentence for the user; ``auth`` is set when the
server refused the username or password (the poller then stops trying until it is saved again).
"""

from __future__ import annotations

import datetime as dt
import imaplib
import ipaddress
import re
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from django.conf import settings

from extramile.mailsync import folders
from extramile.mailsync.models import Security

TIMEOUT = 20  # seconds, for connecting and for every answer
BODY_LIMIT = 128 * 1024  # bytes of a message read for its summary
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class MailboxError(Exception):
    def __init__(self, message: str, *, auth: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.auth = auth


def is_loopback(host: str) -> bool:
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def allowed_host(host: str) -> bool:
    """Whether ``EXTRAMILE_MAILBOX_HOSTS`` lets the server connect to ``host``: any host when the
    setting is empty; otherwise a host named in it, or under a domain given with a leading dot
    (``.example.com``). Without a list, a user can make the server connect wherever they like."""
    allowed = settings.EXTRAMILE_MAILBOX_HOSTS
    if not allowed:
        return True
    name = host.strip().strip("[]").rstrip(".").lower()
    return any(
        name.endswith(entry) if entry.startswith(".") else name == entry for entry in allowed
    )


def not_allowed(host: str) -> str:
    listed = ", ".join(settings.EXTRAMILE_MAILBOX_HOSTS)
    return f"{host} is not a mail server this company allows; ask an administrator (allowed: {listed})."


def tls_context() -> ssl.SSLContext:
    """The system's trusted CAs, plus ``EXTRAMILE_MAILBOX_CA_FILE`` (a company's own CA)."""
    context = ssl.create_default_context()
    ca_file = getattr(settings, "EXTRAMILE_MAILBOX_CA_FILE", "")
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


@dataclass(frozen=True)
class Account:
    host: str
    port: int
    security: str
    username: str

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def _connect(account: Account) -> imaplib.IMAP4:
    if not allowed_host(account.host):
        raise MailboxError(not_allowed(account.host))
    if account.security == Security.TLS:
        return imaplib.IMAP4_SSL(
            account.host, account.port, ssl_context=tls_context(), timeout=TIMEOUT
        )
    if account.security == Security.NONE and not is_loopback(account.host):
        raise MailboxError(
            "Without TLS the password would cross the network in clear: choose TLS or STARTTLS."
        )
    client = imaplib.IMAP4(account.host, account.port, timeout=TIMEOUT)
    if account.security == Security.STARTTLS:
        if "STARTTLS" not in client.capabilities:
            client.shutdown()
            raise MailboxError(
                f"{account.where} does not offer STARTTLS: choose TLS (usually port 993)."
            )
        client.starttls(ssl_context=tls_context())
    return client


def _network_error(account: Account, error: BaseException) -> MailboxError:
    if isinstance(error, ssl.SSLCertVerificationError):
        reason = error.verify_message or str(error)
        return MailboxError(
            f"TLS error: the certificate of {account.host} is not trusted ({reason})."
        )
    if isinstance(error, ssl.SSLError):
        return MailboxError(
            f"TLS error talking to {account.where} ({error.reason or error}): check that the "
            "port matches the TLS mode (993 for TLS, 143 for STARTTLS)."
        )
    if isinstance(error, socket.gaierror):
        return MailboxError(f"Cannot find the host “{account.host}”: check its name.")
    if isinstance(error, ConnectionRefusedError):
        return MailboxError(f"{account.where} refused the connection: check the host and the port.")
    if isinstance(error, TimeoutError | socket.timeout):
        return MailboxError(
            f"{account.where} did not answer within {TIMEOUT} seconds: check the host, the port "
            "and the TLS mode."
        )
    if isinstance(error, imaplib.IMAP4.abort):
        return MailboxError(f"{account.where} closed the connection ({_text(error)}).")
    if isinstance(error, imaplib.IMAP4.error):
        return MailboxError(f"{account.where} answered with an error: {_text(error)}.")
    if isinstance(error, OSError):
        return MailboxError(
            f"Cannot reach {account.where}: {error.strerror or error.__class__.__name__}."
        )
    return MailboxError(f"{account.where}: {_text(error)}.")


def _text(error: BaseException) -> str:
    text = str(error)
    if text.startswith("b'") or text.startswith('b"'):
        text = text[2:-1]
    return text.strip().rstrip(".")[:200] or error.__class__.__name__


@contextmanager
def session(account: Account, password: str) -> Iterator[imaplib.IMAP4]:
    """A logged-in IMAP session; network, TLS and IMAP errors come out as ``MailboxError``."""
    try:
        client = _connect(account)
    except MailboxError:
        raise
    except (OSError, imaplib.IMAP4.error) as error:
        raise _network_error(account, error) from None
    try:
        try:
            login(client, account.username, password)
        except imaplib.IMAP4.abort as error:
            raise _network_error(account, error) from None
        except imaplib.IMAP4.error as error:
            raise MailboxError(
                f"{account.host} refused the username or password ({_text(error)}).", auth=True
            ) from None
        try:
            yield client
        except MailboxError:
            raise
        except (OSError, imaplib.IMAP4.error) as error:
            raise _network_error(account, error) from None
    finally:
        try:
            client.logout()
        except Exception:  # closing a connection that already broke
            with suppress(Exception):
                client.shutdown()


def has_control(text: str) -> bool:
    return any(ord(char) < 0x20 or ord(char) == 0x7F for char in text)


def login(client: imaplib.IMAP4, username: str, password: str) -> None:
    """LOGIN for plain ASCII; AUTHENTICATE PLAIN (UTF-8, base64 on the wire) for anything else,
    so a password with "ä", quotes or line breaks is sent exactly and cannot break the command."""
    if has_control(username):
        raise MailboxError("The username cannot contain line breaks or control characters.")
    if all(0x20 <= ord(char) < 0x7F for char in username + password):
        client.login(username, password)
        return
    if "AUTH=PLAIN" not in client.capabilities:
        raise MailboxError(
            "This server takes only plain ASCII passwords (it does not offer AUTH=PLAIN).",
            auth=True,
        )
    secret = b"\0" + username.encode() + b"\0" + password.encode()
    client.authenticate("PLAIN", lambda _challenge: secret)


def list_folders(client: imaplib.IMAP4) -> list[folders.FolderInfo]:
    status, data = client.list('""', "*")
    if status != "OK":
        raise MailboxError("The server would not list its folders.")
    return folders.parse_list(list(data))


@dataclass(frozen=True)
class Selected:
    uidvalidity: int
    exists: int


def select(client: imaplib.IMAP4, folder: str) -> Selected:
    """Open a folder read-only (EXAMINE): nothing in it changes, no flag is set."""
    if has_control(folder):
        raise MailboxError("A folder name cannot contain line breaks or control characters.")
    status, data = client.select(folders.quote(folder), readonly=True)
    if status != "OK":
        detail = data[0].decode(errors="replace") if data and isinstance(data[0], bytes) else ""
        raise MailboxError(
            f"The folder “{folder}” cannot be opened ({detail or 'no such folder'})."
        )
    _, values = client.response("UIDVALIDITY")
    try:
        uidvalidity = int(values[-1]) if values and values[-1] is not None else 0
        exists = int(data[0]) if data and data[0] else 0
    except (TypeError, ValueError):
        raise MailboxError(f"The folder “{folder}” gave no usable UIDVALIDITY.") from None
    return Selected(uidvalidity, exists)


def imap_date(day: dt.date) -> str:
    return f"{day.day}-{MONTHS[day.month - 1]}-{day.year}"


def new_uids(client: imaplib.IMAP4, after: int, since: dt.date) -> list[int]:
    """UIDs above ``after`` (all since ``since`` when nothing was read yet), ascending."""
    if after:
        status, data = client.uid("SEARCH", f"UID {after + 1}:*")
    else:
        status, data = client.uid("SEARCH", "SINCE", imap_date(since))
    if status != "OK":
        raise MailboxError("The server would not search the folder.")
    uids = sorted({int(n) for chunk in data if chunk for n in chunk.split()})
    # "UID n:*" always includes the highest message, even when its UID is below n.
    return [uid for uid in uids if uid > after]


INTERNALDATE = re.compile(
    rb'INTERNALDATE "(\d{1,2})-(\w{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([-+]\d{4})"'
)
UID = re.compile(rb"UID (\d+)")


def parse_internaldate(meta: bytes) -> dt.datetime | None:
    match = INTERNALDATE.search(meta)
    if match is None:
        return None
    day, month, year, hour, minute, second, zone = (part.decode() for part in match.groups())
    if month.title() not in MONTHS:
        return None
    offset = dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5]))
    tz = dt.timezone(offset if zone[0] == "+" else -offset)
    local = dt.datetime(
        int(year),
        MONTHS.index(month.title()) + 1,
        int(day),
        int(hour),
        int(minute),
        int(second),
        tzinfo=tz,
    )
    return local.astimezone(dt.UTC)


@dataclass(frozen=True)
class Fetched:
    uid: int
    internaldate: dt.datetime | None
    raw: bytes


def fetch(client: imaplib.IMAP4, uids: list[int], what: str) -> list[Fetched]:
    """UID, INTERNALDATE and ``what`` (a BODY.PEEK[…] item) for each UID, in UID order."""
    if not uids:
        return []
    status, data = client.uid(
        "FETCH", ",".join(str(uid) for uid in uids), f"(UID INTERNALDATE {what})"
    )
    if status != "OK":
        raise MailboxError("The server would not hand over the messages.")
    found: dict[int, Fetched] = {}
    items = list(data)
    for index, item in enumerate(items):
        if not isinstance(item, tuple):
            continue
        meta, literal = item[0], item[1]
        after = items[index + 1] if index + 1 < len(items) else b""
        tail = after if isinstance(after, bytes) else b""
        uid_match = UID.search(meta) or UID.search(tail)
        if uid_match is None:
            continue
        uid = int(uid_match.group(1))
        found[uid] = Fetched(uid, parse_internaldate(meta) or parse_internaldate(tail), literal)
    return [found[uid] for uid in sorted(found)]
