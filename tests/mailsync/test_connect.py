"""Connecting a mailbox: tried on save with a clear message for each failure, TLS and STARTTLS
with certificate checks, the Sent folder found by SPECIAL-USE, the page, the command, the worker."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from extramile.book.services import add_email
from extramile.inbox.models import InboundMessage
from extramile.mailsync import connections, crypto
from extramile.mailsync.forms import MailboxForm
from extramile.mailsync.imap import MailboxError
from extramile.mailsync.models import MailboxConnection, Outcome, Security, SeenMessage
from extramile.runtime.scheduler import enqueue_mailsync
from tests.conftest import NOW, login
from tests.mailsync.conftest import IMAP_PASSWORD, mail
from tests.mailsync.dovecot import free_port

pytestmark = pytest.mark.django_db


def test_the_sent_folder_is_found_by_special_use(owner, mailbox):
    connection = connections.save(owner, mailbox.settings(), NOW)
    assert connection.sent_folder == "Sent"
    assert connection.inbox_folder == "INBOX" and connection.since == NOW


def test_a_wrong_password_is_said_and_nothing_is_saved(owner, mailbox):
    with pytest.raises(MailboxError, match="refused the username or password") as caught:
        connections.save(owner, mailbox.settings(password="not it"), NOW)
    assert caught.value.auth
    assert not MailboxConnection.objects.exists()


def test_a_password_with_accents_quotes_and_backslashes(owner, dovecot_server):
    from tests.mailsync.conftest import ACCENTED_PASSWORD, Mailbox

    box = Mailbox(dovecot_server)
    wanted = box.settings(username="accents", password=ACCENTED_PASSWORD)
    connection = connections.save(owner, wanted, NOW)
    assert crypto.decrypt(connection.password_encrypted) == ACCENTED_PASSWORD
    with pytest.raises(MailboxError, match="refused the username or password"):
        connections.save(owner, box.settings(username="accents", password="pä\r\nA1 LOGOUT"), NOW)


def test_control_characters_never_reach_the_server(owner, mailbox):
    with pytest.raises(MailboxError, match="control characters"):
        connections.save(owner, mailbox.settings(sent_folder="Sent\r\nA1 DELETE INBOX"), NOW)
    with pytest.raises(MailboxError, match="control characters"):
        connections.save(owner, mailbox.settings(username="x\r\nA1 LOGOUT"), NOW)


def test_an_unreachable_host_is_said(owner, mailbox):
    closed = free_port()
    with pytest.raises(MailboxError, match=rf"127.0.0.1:{closed} refused the connection"):
        connections.save(owner, mailbox.settings(port=closed), NOW)


def test_a_missing_folder_is_said(owner, mailbox):
    with pytest.raises(MailboxError, match="“Outbox” cannot be opened"):
        connections.save(owner, mailbox.settings(sent_folder="Outbox"), NOW)


def test_no_encryption_is_refused_for_a_server_elsewhere(owner):
    wanted = connections.MailboxSettings("imap.example.com", 143, Security.NONE, "o", "pw")
    with pytest.raises(MailboxError, match="in clear"):
        connections.save(owner, wanted, NOW)


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("imap.gmail.com", True),
        ("IMAP.Gmail.com", True),
        ("mail.corp.example", True),  # under .corp.example
        ("corp.example", False),  # the domain itself is not under it
        ("127.0.0.1", False),
        ("10.0.0.7", False),
        ("imap.gmail.com.evil.example", False),
    ],
)
def test_a_company_can_allow_only_its_mail_servers(owner, settings, host, allowed):
    settings.EXTRAMILE_MAILBOX_HOSTS = ["imap.gmail.com", ".corp.example"]
    form = MailboxForm({"host": host, "security": Security.TLS, "username": "o", "password": "pw"})
    form.full_clean()
    assert ("host" not in form.errors) is allowed
    if not allowed:
        assert "not a mail server this company allows" in form.errors["host"][0]
        # Nor through any other way in (a stored mailbox polled later, the API): no connection
        # is even tried.
        wanted = connections.MailboxSettings(host, 993, Security.TLS, "o", "pw")
        with pytest.raises(MailboxError, match="not a mail server this company allows"):
            connections.save(owner, wanted, NOW)


def test_an_untrusted_certificate_is_a_tls_error(owner, mailbox):
    with pytest.raises(
        MailboxError, match=r"TLS error: the certificate of 127\.0\.0\.1 is not trusted"
    ):
        connections.save(
            owner,
            mailbox.settings(security=Security.TLS, port=mailbox.server.tls_port),
            NOW,
        )


@pytest.mark.parametrize("security", [Security.TLS, Security.STARTTLS])
def test_tls_and_starttls_with_a_trusted_certificate(owner, mailbox, settings, security):
    settings.EXTRAMILE_MAILBOX_CA_FILE = str(mailbox.server.cert)
    port = mailbox.server.tls_port if security == Security.TLS else mailbox.server.port
    connection = connections.save(owner, mailbox.settings(security=security, port=port), NOW)
    assert connection.security == security and connection.sent_folder == "Sent"


def test_saving_again_without_a_password_keeps_it_and_the_place(owner, anna_email, mailbox):
    first = connections.save(owner, mailbox.settings(), NOW)
    MailboxConnection.objects.filter(pk=first.pk).update(inbox_last_uid=7, inbox_uidvalidity=1)
    again = connections.save(owner, mailbox.settings(password=None), NOW + dt.timedelta(hours=1))
    assert crypto.decrypt(again.password_encrypted) == IMAP_PASSWORD
    assert again.inbox_last_uid == 7 and again.since == NOW


def test_rotating_the_key(owner, mailbox, settings):
    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.EXTRAMILE_MAILBOX_KEYS = [old]
    connection = connections.save(owner, mailbox.settings(), NOW)
    settings.EXTRAMILE_MAILBOX_KEYS = [new, old]
    out = io.StringIO()
    call_command("mailsync", "--rotate-key", stdout=out)
    assert "1 password(s) re-encrypted" in out.getvalue()
    settings.EXTRAMILE_MAILBOX_KEYS = [new]
    connection.refresh_from_db()
    assert crypto.decrypt(connection.password_encrypted) == IMAP_PASSWORD


def test_a_bad_key_is_a_system_check_error(settings):
    settings.EXTRAMILE_MAILBOX_KEYS = ["not-a-key"]
    errors = crypto.mailbox_keys()
    assert [error.id for error in errors] == ["extramile.E101"]


@pytest.fixture
def anna_email(customer):
    add_email(customer, "anna@example.com")
    return customer


def form(mailbox, **changes):
    data = {
        "host": "127.0.0.1",
        "security": "none",
        "port": str(mailbox.server.port),
        "username": mailbox.username,
        "password": IMAP_PASSWORD,
        "inbox_folder": "INBOX",
        "sent_folder": "",
    }
    data.update(changes)
    return data


def test_the_page_connects_and_never_shows_the_password(client, owner, mailbox):
    login(client, owner)
    response = client.post(reverse("mailbox"), form(mailbox), follow=True)
    page = response.content.decode()
    assert "Connected: " in page and "“Sent”" in page
    assert IMAP_PASSWORD not in page
    assert MailboxConnection.objects.get(user=owner).sent_folder == "Sent"


def test_the_page_says_what_went_wrong(client, owner, mailbox):
    login(client, owner)
    page = client.post(reverse("mailbox"), form(mailbox, password="wrong")).content.decode()
    assert "refused the username or password" in page
    assert 'value="wrong"' not in page  # a password is never written back into the form
    page = client.post(reverse("mailbox"), form(mailbox, host="imap.example.com")).content.decode()
    assert "in clear" in page
    page = client.post(
        reverse("mailbox"), form(mailbox, host="https://imap.example.com/")
    ).content.decode()
    assert "just the server" in page
    assert not MailboxConnection.objects.exists()


def test_disconnect_forgets_the_password_and_the_ignored_mail(client, owner, anna_email, mailbox):
    connections.save(owner, mailbox.settings(), timezone.now() - dt.timedelta(minutes=10))
    mailbox.put("INBOX", mail(message_id="<d1@example.com>"), timezone.now())
    mailbox.put(
        "INBOX", mail(sender="stranger@elsewhere.example", message_id="<d2@e>"), timezone.now()
    )
    call_command("mailsync", stdout=io.StringIO())
    login(client, owner)
    page = client.post(reverse("mailbox-disconnect"), follow=True).content.decode()
    assert "Disconnected" in page and "Not connected" in page
    assert not MailboxConnection.objects.exists()
    assert "stranger@elsewhere.example" not in page
    # The customer's message stays, and so does what ties a later reply to it.
    assert InboundMessage.objects.count() == 1
    assert list(SeenMessage.objects.values_list("outcome", flat=True)) == [Outcome.INBOUND]


def test_check_now_on_the_page(client, owner, anna_email, mailbox):
    connections.save(owner, mailbox.settings(), timezone.now() - dt.timedelta(minutes=10))
    mailbox.put(
        "INBOX", mail(message_id="<page@example.com>"), timezone.now() - dt.timedelta(minutes=1)
    )
    login(client, owner)
    page = client.post(reverse("mailbox-poll"), follow=True).content.decode()
    assert "1 new (1 reply owed)" in page
    assert "The brakes squeak again" in page  # in "Recently read"
    assert InboundMessage.objects.get().customer == anna_email


def test_a_paused_mailbox_shows_why(client, owner, mailbox):
    connection = connections.save(owner, mailbox.settings(), NOW)
    MailboxConnection.objects.filter(pk=connection.pk).update(
        paused=True, last_error="127.0.0.1 refused the username or password."
    )
    page = login(client, owner).get(reverse("mailbox")).content.decode()
    assert "Paused: 127.0.0.1 refused the username or password." in page


def test_the_command_polls_and_prints_what_it_found(owner, anna_email, mailbox):
    connections.save(owner, mailbox.settings(), timezone.now() - dt.timedelta(minutes=10))
    mailbox.put(
        "INBOX", mail(message_id="<cli@example.com>"), timezone.now() - dt.timedelta(minutes=1)
    )
    mailbox.put(
        "INBOX", mail(sender="stranger@elsewhere.example", message_id="<s@e>"), timezone.now()
    )
    out = io.StringIO()
    call_command("mailsync", "--user", "olivia", stdout=out)
    assert out.getvalue().strip() == (
        "olivia: INBOX: 2 new (1 reply owed, 1 not a customer you can see); Sent: nothing new"
    )
    with pytest.raises(CommandError, match="There is no user 'nobody'"):
        call_command("mailsync", "--user", "nobody")


def test_the_command_fails_when_a_mailbox_fails(owner, mailbox):
    connection = connections.save(owner, mailbox.settings(), NOW)
    MailboxConnection.objects.filter(pk=connection.pk).update(
        password_encrypted=crypto.encrypt("old password")
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 mailbox"):
        call_command("mailsync", stdout=out)
    assert "refused the username or password" in out.getvalue()


def test_a_mailbox_on_a_server_no_longer_allowed_is_not_read_and_says_why(
    owner, anna_email, mailbox, settings
):
    connection = connections.save(owner, mailbox.settings(), NOW)
    mailbox.put("INBOX", mail(message_id="<later@example.com>"), NOW + dt.timedelta(minutes=1))
    settings.EXTRAMILE_MAILBOX_HOSTS = ["imap.example.com"]
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 mailbox"):
        call_command("mailsync", stdout=out)
    assert "127.0.0.1 is not a mail server this company allows" in out.getvalue()
    connection.refresh_from_db()
    assert "not a mail server this company allows" in connection.last_error
    assert not connection.paused  # it is read again as soon as the list allows it
    assert not InboundMessage.objects.exists()


def test_one_poll_job_per_minute_while_a_mailbox_is_connected(owner, mailbox):
    assert enqueue_mailsync(NOW) is None
    connections.save(owner, mailbox.settings(), NOW)
    assert enqueue_mailsync(NOW) == "mailsync:2026-11-23T14:30"
    assert enqueue_mailsync(NOW + dt.timedelta(seconds=20)) is None
    assert enqueue_mailsync(NOW + dt.timedelta(seconds=65)) == "mailsync:2026-11-23T14:31"


@pytest.mark.django_db(transaction=True)
def test_the_worker_polls_the_mailbox(owner, anna_email, mailbox):
    from extramile.runtime.management.commands.worker import run_batch

    connections.save(owner, mailbox.settings(), timezone.now() - dt.timedelta(minutes=10))
    mailbox.put(
        "INBOX", mail(message_id="<worker@example.com>"), timezone.now() - dt.timedelta(minutes=1)
    )
    enqueued = run_batch(now=timezone.now())
    assert any(key.startswith("mailsync:") for key in enqueued)
    assert InboundMessage.objects.get().customer == anna_email


def test_the_inbox_page_leads_to_the_mailbox(client, owner, mailbox):
    login(client, owner)
    page = client.get(reverse("inbox")).content.decode()
    assert f'href="{reverse("mailbox")}">Connect your mailbox</a>' in page
    connections.save(owner, mailbox.settings(), NOW)
    page = client.get(reverse("inbox")).content.decode()
    assert "Your mailbox is connected</a>" in page
