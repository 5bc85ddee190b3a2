"""The real Dovecot (tests/mailsync) and the real SMTP sink (tests/outbox), for replies."""

from tests.mailsync.conftest import connect, dovecot_server, mailbox  # noqa: F401
from tests.outbox.conftest import smtp  # noqa: F401
