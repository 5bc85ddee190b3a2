"""Connecting, changing and disconnecting a user's mailbox. The connection is tried before it is
saved (log in, find the folders), so a wrong password or host is said at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from extramile.accounts.models import User
from extramile.mailsync import crypto, folders, imap
from extramile.mailsync.models import KEPT, MailboxConnection, Security, SeenMessage


@dataclass(frozen=True)
class MailboxSettings:
    host: str
    port: int
    security: str
    username: str
    password: str | None  # None: keep the stored one
    inbox_folder: str = "INBOX"
    sent_folder: str = ""  # "": find it (SPECIAL-USE \Sent, else a usual name)

    def account(self) -> imap.Account:
        return imap.Account(self.host, self.port, self.security, self.username)


def lookback() -> dt.timedelta:
    return dt.timedelta(days=getattr(settings, "EXTRAMILE_MAILBOX_LOOKBACK_DAYS", 0))


def try_connection(wanted: MailboxSettings, password: str) -> str:
    """Log in and open both folders; return the Sent folder's name. Raises ``MailboxError``."""
    if wanted.security == Security.NONE and not imap.is_loopback(wanted.host):
        raise imap.MailboxError(
            "Without TLS the password would cross the network in clear: choose TLS or STARTTLS "
            "(only a server on this machine, such as localhost, may go without)."
        )
    with imap.session(wanted.account(), password) as client:
        sent = wanted.sent_folder.strip()
        if not sent:
            found = folders.find_sent(imap.list_folders(client))
            if found is None:
                raise imap.MailboxError(
                    "No Sent folder was found (none is marked \\Sent and none has a usual name): "
                    "type its name."
                )
            sent = found
        imap.select(client, wanted.inbox_folder)
        imap.select(client, sent)
    return sent


def save(user: User, wanted: MailboxSettings, now: dt.datetime) -> MailboxConnection:
    """Try the settings, then store them (the password encrypted). Raises ``MailboxError``.

    A new mailbox, or another account, starts reading from now (less the configured look-back);
    the same account keeps its place, so nothing is read twice and nothing is skipped."""
    existing = MailboxConnection.objects.filter(user=user).first()
    password = wanted.password
    if not password:
        if existing is None:
            raise imap.MailboxError("Enter the mailbox's password.")
        try:
            password = crypto.decrypt(existing.password_encrypted)
        except crypto.CannotDecrypt as error:
            raise imap.MailboxError(str(error)) from None
    sent = try_connection(wanted, password)
    same_account = existing is not None and (
        existing.host.lower(),
        existing.username,
    ) == (wanted.host.lower(), wanted.username)
    with transaction.atomic():
        connection = existing or MailboxConnection(
            user=user, connected_at=now, since=now - lookback()
        )
        if not same_account:
            connection.connected_at, connection.since = now, now - lookback()
            connection.inbox_uidvalidity = connection.sent_uidvalidity = None
            connection.inbox_last_uid = connection.sent_last_uid = 0
        else:
            assert existing is not None
            if existing.inbox_folder != wanted.inbox_folder:
                connection.inbox_uidvalidity, connection.inbox_last_uid = None, 0
            if existing.sent_folder != sent:
                connection.sent_uidvalidity, connection.sent_last_uid = None, 0
        connection.host = wanted.host
        connection.port = wanted.port
        connection.security = wanted.security
        connection.username = wanted.username
        connection.password_encrypted = crypto.encrypt(password)
        connection.inbox_folder = wanted.inbox_folder
        connection.sent_folder = sent
        connection.updated_at = now
        connection.paused = False
        connection.last_error = ""
        connection.last_error_at = None
        connection.save()
    return connection


@transaction.atomic
def disconnect(user: User) -> bool:
    """Forget the mailbox, its password and what it said about mail that was ignored. The
    inbound messages already logged stay, with what links replies to them by Message-ID."""
    deleted, _ = MailboxConnection.objects.filter(user=user).delete()
    SeenMessage.objects.filter(user=user).exclude(outcome__in=KEPT).delete()
    return bool(deleted)


def rotate_keys() -> tuple[int, int]:
    """Re-encrypt every stored password with the first configured key: (rotated, unreadable)."""
    rotated = unreadable = 0
    for connection in MailboxConnection.objects.all():
        try:
            token = crypto.rotate(connection.password_encrypted)
        except crypto.CannotDecrypt:
            unreadable += 1
            continue
        MailboxConnection.objects.filter(pk=connection.pk).update(password_encrypted=token)
        rotated += 1
    return rotated, unreadable
