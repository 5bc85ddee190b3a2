"""Queueing: idempotent on the key, with clear refusals."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from extramile.outbox.models import OutboxMessage, Status
from extramile.outbox.services import enqueue
from tests.conftest import NOW


def queue(key="digest:1", **extra):
    values = {
        "key": key,
        "kind": "digest",
        "to_address": "anna@EXAMPLE.org",
        "subject": "Your day",
        "text": "Five calls today.",
        "now": NOW,
    }
    return enqueue(**{**values, **extra})


def test_queueing_the_same_key_twice_gives_the_first_row(db):
    first = queue()
    again = queue(subject="Something else")
    assert again.pk == first.pk and again.subject == "Your day"
    assert OutboxMessage.objects.count() == 1
    assert first.status == Status.QUEUED and first.to_address == "anna@example.org"
    assert first.message_id.startswith("<") and first.from_address


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"to_address": "not an address"}, "is not a valid e-mail address"),
        ({"subject": " "}, "needs a subject"),
        ({"subject": "Hi\nBcc: x@example.org"}, "subject must be one line"),
        ({"text": ""}, "needs a text body"),
        ({"kind": "spam"}, "is not a kind of e-mail"),
        ({"headers": {"X-Note": "a\r\nBcc: x@example.org"}}, "X-Note header must be one line"),
    ],
)
def test_bad_input_is_refused_with_a_reason(db, extra, error):
    with pytest.raises(ValidationError, match=error):
        queue(**extra)
    assert not OutboxMessage.objects.exists()


def test_a_customer_who_does_not_want_email_is_not_queued(customer):
    customer.do_not_email = True
    customer.save()
    with pytest.raises(ValidationError, match="Anna Smith does not want e-mail"):
        queue(customer=customer)
