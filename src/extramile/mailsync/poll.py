"""One poll of a mailbox: new mail in INBOX from customers becomes inbound messages (their reply
clock starts), mail in Sent that answers them stops the clock.

Rules (docs/mailbox.md explains them):

- Only messages that arrived after ``connection.since`` are read; each folder is read from the
  UID after the last one seen. A new UIDVALIDITY means the server renumbered the folder: it is
  read again from the start, and the Message-IDs already seen are passed over.
- INBOX: automatic mail (auto-replies, bulk, lists, bounces) is ignored; so is mail from anyone
  who is not a customer the user may see (a personal mailbox is full of newsletters and
  strangers). A customer's e-mail goes through ``inbox.services.receive``, like every other
  inbound message, with the time it reached the mailbox.
- Sent: a message whose In-Reply-To/References name an inbound message, else one sent to the
  address of inbound messages received before it, marks them replied at its Date
  (``inbox.services.mark_replied``, the same as the "Replied" button).
- One message that cannot be read is recorded as unreadable and the poll goes on.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from extramile.accounts.models import Company, User
from extramile.book.models import Customer
from extramile.inbox import matching
from extramile.inbox.models import Channel, InboundMessage, Source
from extramile.inbox.services import AlreadyReplied, mark_replied, receive
from extramile.mailsync import crypto, imap, parse
from extramile.mailsync.models import KEPT, Folder, MailboxConnection, Outcome, SeenMessage

log = logging.getLogger(__name__)

MAX_PER_FOLDER = 500  # messages read per folder and poll; the rest wait for the next poll
CHUNK = 50  # messages fetched per request
CLAIM_EXPIRES = dt.timedelta(minutes=15)  # a worker that died mid-poll lets go after this
KEEP_IGNORED = dt.timedelta(days=30)
CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass
class PollResult:
    user: str
    outcomes: dict[str, Counter[str]] = field(
        default_factory=lambda: {Folder.INBOX: Counter(), Folder.SENT: Counter()}
    )
    clocks_stopped: int = 0
    renumbered: list[str] = field(default_factory=list)
    error: str = ""
    skipped: str = ""  # why it was not polled (busy, paused)

    @property
    def ok(self) -> bool:
        return not self.error

    def describe(self) -> str:
        text = f"{self.user}: {self.counts()}"
        if self.error:
            text += f"; failed: {self.error}"
        return text

    def counts(self) -> str:
        """What the poll found, without the user or the server's answer (for the log)."""
        if self.skipped:
            return f"skipped, {self.skipped}"
        parts = []
        for folder, label in ((Folder.INBOX, "INBOX"), (Folder.SENT, "Sent")):
            counts = self.outcomes[folder]
            total = sum(counts.values())
            if not total:
                parts.append(f"{label}: nothing new")
                continue
            detail = ", ".join(
                f"{count} {Outcome(outcome).label.lower()}"
                for outcome, count in sorted(counts.items())
            )
            parts.append(f"{label}: {total} new ({detail})")
        if self.clocks_stopped:
            parts.append(f"{self.clocks_stopped} reply clock(s) stopped")
        for name in self.renumbered:
            parts.append(f"{name} was renumbered by the server (UIDVALIDITY) and read again")
        return "; ".join(parts)


def claim(connection: MailboxConnection, now: dt.datetime) -> bool:
    """Take the mailbox for this poll: however many workers tick, one polls it."""
    return bool(
        MailboxConnection.objects.filter(pk=connection.pk)
        .filter(Q(polling_since__isnull=True) | Q(polling_since__lt=now - CLAIM_EXPIRES))
        .update(polling_since=now)
    )


def due(now: dt.datetime) -> list[MailboxConnection]:
    """Mailboxes to poll now: not paused, their user active, not polled within the interval."""
    every = dt.timedelta(minutes=getattr(settings, "EXTRAMILE_MAILBOX_POLL_MINUTES", 2))
    # A few seconds' slack, so a poll every minute from the scheduler is not skipped by jitter.
    cutoff = now - every + dt.timedelta(seconds=10)
    return list(
        MailboxConnection.objects.filter(paused=False, user__is_active=True)
        .filter(Q(last_polled_at__isnull=True) | Q(last_polled_at__lte=cutoff))
        .select_related("user")
        .order_by("last_polled_at", "pk")
    )


def poll_due(now: dt.datetime) -> list[PollResult]:
    return [poll(connection, now) for connection in due(now)]


def poll(connection: MailboxConnection, now: dt.datetime) -> PollResult:
    """Read what is new in the mailbox's INBOX, then its Sent folder; record how it went."""
    user = connection.user
    result = PollResult(user.username)
    if not claim(connection, now):
        exists = MailboxConnection.objects.filter(pk=connection.pk).exists()
        result.skipped = (
            "another poll of this mailbox is running" if exists else "it was disconnected"
        )
        return result
    try:
        connection.refresh_from_db()  # the place reached by the last poll, the latest settings
        password = crypto.decrypt(connection.password_encrypted)
        with imap.session(account(connection), password) as client:
            company = Company.get()
            for folder in (Folder.INBOX, Folder.SENT):
                read_folder(client, connection, folder, now, company, result)
    except crypto.CannotDecrypt as error:
        result.error = str(error)
        record(connection, now, error=result.error, pause=True)
    except imap.MailboxError as error:
        result.error = error.message
        record(connection, now, error=error.message, pause=error.auth)
    except Exception as error:  # a bug or a database failure: the other mailboxes still go on
        log.exception("Mailbox poll of user %s failed", user.pk)
        result.error = f"Unexpected error ({error.__class__.__name__}); the log has the details."
        record(connection, now, error=result.error)
    else:
        record(connection, now)
    finally:
        MailboxConnection.objects.filter(pk=connection.pk).update(polling_since=None)
    SeenMessage.objects.filter(user=user, seen_at__lt=now - KEEP_IGNORED).exclude(
        outcome__in=KEPT
    ).delete()
    # Ids and counts only: a username or the server's answer can hold an e-mail address.
    log.info("Mailbox poll of user %s: %s", user.pk, result.counts())
    if result.error:
        log.warning("Mailbox poll of user %s failed; Settings → Mailbox shows why", user.pk)
    return result


def account(connection: MailboxConnection) -> imap.Account:
    return imap.Account(connection.host, connection.port, connection.security, connection.username)


def record(
    connection: MailboxConnection, now: dt.datetime, *, error: str = "", pause: bool = False
) -> None:
    fields: dict[str, object] = {"last_polled_at": now}
    if error:
        fields.update(last_error=error, last_error_at=now, paused=pause)
    else:
        fields.update(last_ok_at=now, last_error="", last_error_at=None, paused=False)
    MailboxConnection.objects.filter(pk=connection.pk).update(**fields)
    for name, value in fields.items():
        setattr(connection, name, value)


def read_folder(
    client: imap.imaplib.IMAP4,
    connection: MailboxConnection,
    folder: str,
    now: dt.datetime,
    company: Company,
    result: PollResult,
) -> None:
    name = connection.inbox_folder if folder == Folder.INBOX else connection.sent_folder
    selected = imap.select(client, name)
    validity_field, last_field = f"{folder}_uidvalidity", f"{folder}_last_uid"
    last_uid = getattr(connection, last_field)
    if getattr(connection, validity_field) not in (None, selected.uidvalidity):
        result.renumbered.append(name)
        last_uid = 0
    if getattr(connection, validity_field) != selected.uidvalidity:
        setattr(connection, validity_field, selected.uidvalidity)
        setattr(connection, last_field, last_uid)
        MailboxConnection.objects.filter(pk=connection.pk).update(
            **{validity_field: selected.uidvalidity, last_field: last_uid}
        )
    # SEARCH SINCE is by day in the server's zone: a day earlier, then filter by the exact time.
    since_day = (connection.since - dt.timedelta(days=1)).date()
    uids = imap.new_uids(client, last_uid, since_day)[:MAX_PER_FOLDER]
    handle = read_inbox if folder == Folder.INBOX else read_sent
    for start in range(0, len(uids), CHUNK):
        batch = uids[start : start + CHUNK]
        for fetched in imap.fetch(client, batch, "BODY.PEEK[HEADER]"):
            arrived = fetched.internaldate or now
            if arrived < connection.since:
                continue  # arrived before the mailbox was connected
            outcome = safely(
                handle,
                connection.user,
                fetched,
                arrived,
                now,
                company,
                lambda uid: full_message(client, uid),
                result,
            )
            if outcome:
                result.outcomes[folder][outcome] += 1
        # Progress is kept after every batch: a poll cut short resumes where it stopped.
        setattr(connection, last_field, batch[-1])
        MailboxConnection.objects.filter(pk=connection.pk).update(**{last_field: batch[-1]})


def full_message(client: imap.imaplib.IMAP4, uid: int) -> bytes:
    found = imap.fetch(client, [uid], f"BODY.PEEK[]<0.{imap.BODY_LIMIT}>")
    return found[0].raw if found else b""


Handler = Callable[..., str]


@dataclass
class About:
    """What a seen message is remembered by, besides its key."""

    dated: dt.datetime
    address: str
    subject: str


def safely(
    handle: Handler,
    user: User,
    fetched: imap.Fetched,
    arrived: dt.datetime,
    now: dt.datetime,
    company: Company,
    body: Callable[[int], bytes],
    result: PollResult,
) -> str:
    """Run a message's handler; a message that cannot be read is recorded and passed over."""
    try:
        with transaction.atomic():
            return handle(user, fetched, arrived, now, company, body, result)
    except _SeenAlready:
        return ""
    except imap.MailboxError:
        raise
    except (OSError, imap.imaplib.IMAP4.abort) as error:
        raise imap.MailboxError(f"The connection broke while reading messages ({error}).") from None
    except Exception as error:
        log.exception("Mailbox of user %s: message UID %s could not be read", user.pk, fetched.uid)
        key = parse.key_for(f"unreadable:{fetched.uid}:{arrived.isoformat()}")
        try:
            with transaction.atomic():
                SeenMessage.objects.get_or_create(
                    user=user,
                    folder=Folder.INBOX if handle is read_inbox else Folder.SENT,
                    key=key,
                    defaults={
                        "dated": arrived,
                        "outcome": Outcome.UNREADABLE,
                        "note": parse.clean(f"{error.__class__.__name__}: {error}")[:300],
                        "seen_at": now,
                    },
                )
        except Exception:
            log.exception("Could not record the unreadable message")
        return Outcome.UNREADABLE


def remember(
    user: User,
    folder: str,
    key: str,
    about: About,
    outcome: str,
    now: dt.datetime,
    *,
    inbound: InboundMessage | None = None,
    note: str = "",
) -> SeenMessage | None:
    """Record the message as seen; None when it was seen already (by a poll running alongside)."""
    try:
        with transaction.atomic():
            return SeenMessage.objects.create(
                user=user,
                folder=folder,
                key=key,
                dated=about.dated,
                address=about.address[:254],
                subject=about.subject[:200],
                outcome=outcome,
                inbound=inbound,
                note=note[:300],
                seen_at=now,
            )
    except IntegrityError:
        return None


def read_inbox(
    user: User,
    fetched: imap.Fetched,
    arrived: dt.datetime,
    now: dt.datetime,
    company: Company,
    body: Callable[[int], bytes],
    result: PollResult,
) -> str:
    headers = parse.parse(fetched.raw)
    key = parse.message_key(headers)
    if SeenMessage.objects.filter(user=user, folder=Folder.INBOX, key=key).exists():
        return ""  # seen before (the folder was renumbered, or read by another poll)
    senders = parse.addresses(headers, "From")
    name, address = senders[0] if senders else ("", "")
    subject = parse.header(headers, "Subject")
    about = About(arrived, address, subject)
    why = parse.automatic(headers)
    if why:
        remember(user, Folder.INBOX, key, about, Outcome.AUTOMATIC, now, note=why)
        return Outcome.AUTOMATIC
    try:
        normalised = matching.normalise_sender(Channel.EMAIL, address, company.country)
    except ValidationError:
        normalised = ""
    found = matching.candidates(normalised) if normalised else []
    visible = set(
        Customer.objects.visible_to(user)
        .filter(pk__in=[c.pk for c in found])
        .values_list("pk", flat=True)
    )
    if not visible:
        remember(user, Folder.INBOX, key, about, Outcome.UNKNOWN, now)
        return Outcome.UNKNOWN
    about.address = normalised
    # The same e-mail sent to several users' mailboxes is one message owed one reply.
    shared = (
        SeenMessage.objects.filter(
            folder=Folder.INBOX, key=key, inbound__isnull=False, inbound__customer_id__in=visible
        )
        .exclude(user=user)
        .select_related("inbound")
        .first()
    )
    if shared is not None:
        remember(user, Folder.INBOX, key, about, Outcome.SHARED, now, inbound=shared.inbound)
        return Outcome.SHARED
    whole = parse.parse(body(fetched.uid) or fetched.raw)
    received_at = min(arrived, now)
    received = receive(
        channel=Channel.EMAIL,
        from_address=normalised,
        from_name=name[:200],
        received_at=received_at,
        summary=parse.summary(whole),
        now=now,
        owner=user,
        source=Source.MAILBOX,
        company=company,
    )
    if received.created:
        # What a reply written in ExtraMile needs to join this conversation.
        from extramile.replies.services import remember_thread

        thread = re.findall(r"<([^<>\s]+)>", parse.header(headers, "References"))
        remember_thread(received.message, parse.message_id(headers), thread, subject)
    if (
        remember(
            user,
            Folder.INBOX,
            key,
            about,
            Outcome.INBOUND,
            now,
            inbound=received.message,
            note=received.note,
        )
        is None
    ):
        # Another poll recorded it first: undo ours (the transaction rolls back).
        raise _SeenAlready
    return Outcome.INBOUND


class _SeenAlready(Exception):
    pass


def reply_time(headers: parse.Message, arrived: dt.datetime, now: dt.datetime) -> dt.datetime:
    """When the reply was sent: its Date, unless missing or in the future, else when it was filed."""
    sent = parse.date(headers)
    if sent is None or sent > now + CLOCK_SKEW:
        return min(arrived, now)
    return min(sent.astimezone(dt.UTC), now)


def read_sent(
    user: User,
    fetched: imap.Fetched,
    arrived: dt.datetime,
    now: dt.datetime,
    company: Company,
    body: Callable[[int], bytes],
    result: PollResult,
) -> str:
    headers = parse.parse(fetched.raw)
    key = parse.message_key(headers)
    if SeenMessage.objects.filter(user=user, folder=Folder.SENT, key=key).exists():
        return ""
    recipients = []
    for _, address in parse.addresses(headers, "To", "Cc", "Bcc"):
        try:
            recipients.append(matching.normalise_sender(Channel.EMAIL, address, company.country))
        except ValidationError:
            continue
    sent_at = reply_time(headers, arrived, now)
    about = About(sent_at, recipients[0] if recipients else "", parse.header(headers, "Subject"))
    why = parse.automatic(headers)
    if why:
        remember(user, Folder.SENT, key, about, Outcome.AUTOMATIC, now, note=why)
        return Outcome.AUTOMATIC
    owed = SeenMessage.objects.filter(
        user=user,
        folder=Folder.INBOX,
        outcome__in=[Outcome.INBOUND, Outcome.SHARED],
        inbound__isnull=False,
        inbound__replied_at__isnull=True,
    )
    referenced = [parse.key_for(identifier) for identifier in parse.references(headers)]
    answered = list(owed.filter(key__in=referenced)) if referenced else []
    if not answered and recipients:
        answered = list(owed.filter(address__in=recipients, inbound__received_at__lte=sent_at))
    messages = {seen_message.inbound_id: seen_message.inbound for seen_message in answered}
    stopped = 0
    for message in sorted(
        (m for m in messages.values() if m is not None), key=lambda m: m.received_at
    ):
        try:
            mark_replied(message, user, max(sent_at, message.received_at))
        except AlreadyReplied:
            continue
        stopped += 1
    result.clocks_stopped += stopped
    first = next(iter(messages.values()), None)
    outcome = Outcome.REPLIED if stopped else Outcome.NOT_REPLY
    note = f"Stopped {stopped} reply clock{'s' if stopped != 1 else ''}." if stopped else ""
    remember(
        user, Folder.SENT, key, about, outcome, now, inbound=first if stopped else None, note=note
    )
    return outcome
