"""The worker sends queued mail: one send job per minute while mail waits, through the task queue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from extramile.outbox import services
from extramile.outbox.models import OutboxMessage, Status
from extramile.runtime.management.commands.worker import run_batch
from extramile.runtime.scheduler import enqueue_outbox
from tests.conftest import NOW


def queue(key="digest:1"):
    return services.enqueue(
        key=key, kind="digest", to_address="a@example.org", subject="S", text="T", now=NOW
    )


def test_no_job_while_nothing_is_queued(company):
    assert enqueue_outbox(NOW) is None


def test_one_send_job_per_minute_while_mail_waits(company):
    queue()
    assert enqueue_outbox(NOW) == "outbox:2026-11-23T14:30"
    assert enqueue_outbox(NOW + dt.timedelta(seconds=20)) is None
    assert enqueue_outbox(NOW + dt.timedelta(seconds=65)) == "outbox:2026-11-23T14:31"


@pytest.mark.django_db(transaction=True)
def test_a_worker_sends_the_queue(smtp, company):
    queue()
    enqueued = run_batch(now=timezone.now())
    assert any(key.startswith("outbox:") for key in enqueued)
    assert OutboxMessage.objects.get().status == Status.SENT
    assert [m["To"] for m in smtp.received] == ["a@example.org"]
