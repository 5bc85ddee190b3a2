"""``extramile outbox``: send and status from a shell."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from extramile.outbox import services
from extramile.outbox.models import OutboxMessage
from tests.conftest import NOW


def run(*args):
    out = io.StringIO()
    call_command("outbox", *args, stdout=out)
    return out.getvalue()


def test_send_and_status(smtp, company):
    smtp.refuse["bad@example.org"] = "550 5.1.1 unknown user"
    for i, to in enumerate(["a@example.org", "bad@example.org", "c@example.org"]):
        services.enqueue(key=f"k{i}", kind="other", to_address=to, subject="S", text="T", now=NOW)
    assert run("send", "--limit", "1") == "1 sent, 0 failed, 2 left\n"
    assert run("send", "--wait") == "1 sent, 1 failed, 0 left\n"
    status = run("status")
    assert "2 sent" in status and "1 failed" in status
    bad = OutboxMessage.objects.get(to_address="bad@example.org")
    assert f"Failed #{bad.pk} to bad@example.org: 550 5.1.1 unknown user" in status
    assert run("retry", str(bad.pk)) == "1 message(s) queued again.\n"
    assert run("cancel", str(bad.pk)) == "1 message(s) cancelled.\n"


def test_send_without_a_server_is_an_error(settings, company):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    services.enqueue(
        key="k", kind="other", to_address="a@example.org", subject="S", text="T", now=NOW
    )
    with pytest.raises(CommandError, match="Cannot connect to the mail server"):
        run("send")
