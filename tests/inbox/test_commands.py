"""`extramile inbound` and `extramile token`: output, and one-line errors."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from extramile.accounts.models import ApiToken
from extramile.api.tokens import hash_secret
from extramile.book.models import PhoneNumber
from extramile.inbox.models import InboundMessage, Source

pytestmark = pytest.mark.django_db


def call(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_inbound_prints_the_customer_and_the_deadline_in_the_owners_zone(customer):
    PhoneNumber.objects.create(customer=customer, number="+12125550100")
    out = call(
        "inbound",
        "--channel",
        "voicemail",
        "--from",
        "(212) 555-0100",
        "--at",
        "2026-11-20T17:55:00-05:00",
        "--summary",
        "Brakes squeak",
    )
    message = InboundMessage.objects.get()
    assert message.source == Source.CLI and message.summary == "Brakes squeak"
    assert out.splitlines() == [
        f"message: {message.pk}",
        f"customer: {customer.pk} Anna Smith",
        "owner: olivia",
        "reply due: Mon 2026-11-23 09:55 EST (America/New_York)",
    ]


def test_inbound_from_a_stranger_for_a_user(owner):
    out = call(
        "inbound",
        "--channel",
        "email",
        "--from",
        "new@example.com",
        "--at",
        "2026-11-23T14:00:00Z",
        "--user",
        "olivia",
        "--name",
        "Nina New",
    )
    assert "customer: unmatched" in out and "owner: olivia" in out
    assert InboundMessage.objects.get().from_name == "Nina New"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--channel", "fax", "--from", "+12125550100"], "'fax' is not a channel"),
        (["--channel", "call", "--from", "+12125550100", "--at", "yesterday"], "is not a time"),
        (
            ["--channel", "call", "--from", "+12125550100", "--at", "2026-11-23T09:00"],
            "no time zone",
        ),
        (["--channel", "call", "--from", "+12125550100", "--user", "nobody"], "no active user"),
        (["--channel", "call", "--from", "hello"], "is not a phone number"),
    ],
)
def test_inbound_errors_are_one_clear_line(args, says, company):
    with pytest.raises(CommandError, match=says):
        call("inbound", *args)
    assert not InboundMessage.objects.exists()


def test_token_create_prints_the_secret_once_and_stores_its_hash(company):
    secret = call("token", "create", "--name", "Phone system").strip()
    token = ApiToken.objects.get()
    assert secret.startswith("em_") and token.prefix == secret[:8]
    assert token.key_hash == hash_secret(secret) and token.user is None
    listed = call("token", "list")
    assert "Phone system" in listed and secret not in listed and "active" in listed
    assert call("token", "revoke", str(token.pk)) == f"Revoked token {token.pk} “Phone system”.\n"
    assert "revoked" in call("token", "list")
    with pytest.raises(CommandError, match="revoked already"):
        call("token", "revoke", str(token.pk))
    with pytest.raises(CommandError, match="no API token 99"):
        call("token", "revoke", "99")
    with pytest.raises(CommandError, match="Name the token"):
        call("token", "create", "--name", " ")
