"""A real SMTP server on loopback (aiosmtpd) that keeps what it received, and e-mail settings
pointing Django's SMTP backend at it."""

from __future__ import annotations

import email
import email.policy
import socket
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import make_customer


class Sink:
    """Accepts mail; ``refuse`` lists recipients to refuse; ``drop_after`` hangs up after N mails."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.refuse: dict[str, str] = {}
        self.drop_after: int | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.drop_after is not None and len(self.received) >= self.drop_after:
            server.transport.close()  # hang up before answering: the message was not accepted
            return "421 closing"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.received if m["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    settings.DEFAULT_FROM_EMAIL = "Harbour Motors <outbox@harbour.example>"
    settings.SITE_URL = "https://crm.harbour.example"
    yield sink
    controller.stop()


@pytest.fixture
def addressed_company(company):
    company.street = "12 Quay Street"
    company.city = "Portland"
    company.region = "ME"
    company.postal_code = "04101"
    company.save()
    return company


@pytest.fixture
def reader(owner, addressed_company):
    """A customer with an e-mail address, owned by ``owner`` (Olivia Reed)."""
    owner.first_name, owner.last_name = "Olivia", "Reed"
    owner.save()
    person = make_customer(owner, "Anna", "Smith")
    person.emails.create(address="anna@example.org", is_primary=True)
    return person
