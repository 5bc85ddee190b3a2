"""/metrics: behind a bearer token; the request histogram by route; the service's state counted
from the database at scrape time."""

from __future__ import annotations

import datetime as dt

import pytest
from prometheus_client.parser import text_string_to_metric_families

from extramile.inbox.services import receive
from extramile.mailsync.models import MailboxConnection
from extramile.ops.heartbeat import beat
from extramile.outbox.models import OutboxMessage, Status
from extramile.outbox.services import enqueue
from extramile.runtime.management.commands.worker import run_batch
from tests.conftest import PASSWORD

# 05:10 UTC is 00:10 in New York: the nightly plan is due.
NOW = dt.datetime(2026, 11, 23, 5, 10, tzinfo=dt.UTC)
TOKEN = "s3cret-metrics-token-of-some-length"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def scrape(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return samples(response.content.decode())


@pytest.mark.django_db
def test_without_a_token_setting_there_is_no_metrics_endpoint(client, settings):
    settings.EXTRAMILE_METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.django_db
def test_a_missing_or_wrong_token_is_401(client, settings):
    settings.EXTRAMILE_METRICS_TOKEN = TOKEN
    for header in ({}, {"HTTP_AUTHORIZATION": "Bearer nope"}, {"HTTP_AUTHORIZATION": TOKEN}):
        response = client.get("/metrics", **header)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert b"extramile_" not in response.content


@pytest.mark.django_db(transaction=True)
@pytest.mark.time_machine(NOW)
def test_the_scrape_counts_the_service_state(client, settings, company, owner, customer):
    settings.EXTRAMILE_METRICS_TOKEN = TOKEN
    empty = scrape(client)
    assert empty[("extramile_database_up", ())] == 1
    assert not [key for key in empty if key[0] == "extramile_task_queue_depth"]
    assert empty[("extramile_worker_heartbeat_age_seconds", ())] == -1
    assert empty[("extramile_replies_breaching", ())] == 0

    enqueued = run_batch(now=NOW)  # the nightly plan of New York, run by the real task queue
    assert "plan:America/New_York:2026-11-23" in enqueued

    # A message received three days ago, unanswered.
    receive(
        channel="call",
        from_address="+12025550100",
        received_at=NOW - dt.timedelta(days=3),
        summary="Call me back",
        now=NOW - dt.timedelta(days=3),
        owner=owner,
    )
    MailboxConnection.objects.create(
        user=owner,
        host="imap.example.org",
        port=993,
        username="olivia",
        password_encrypted="x",
        sent_folder="Sent",
        since=NOW,
        connected_at=NOW,
        updated_at=NOW,
        last_error="Login refused",
        last_error_at=NOW,
        last_ok_at=NOW - dt.timedelta(hours=1),
    )
    beat("w1", NOW - dt.timedelta(seconds=40))
    # Two e-mails queued, one of them left "unknown" by a killed worker.
    for n in range(2):
        enqueue(
            key=f"test:{n}",
            kind="other",
            to_address=f"reader{n}@example.org",
            subject="Hello",
            text="Hello",
            now=NOW,
        )
    OutboxMessage.objects.filter(key="test:1").update(status=Status.UNKNOWN)

    found = scrape(client)
    assert found[("extramile_outbox_messages", (("state", "queued"),))] == 1
    assert found[("extramile_outbox_messages", (("state", "unknown"),))] == 1
    assert found[("extramile_outbox_messages", (("state", "sent"),))] == 0
    assert found[("extramile_replies_breaching", ())] == 1
    assert found[("extramile_mailbox_poll_errors", ())] == 1
    assert found[("extramile_mailboxes_connected", ())] == 1
    # 40 s when the heartbeat was written, more by the scrape (the travelled clock keeps ticking).
    assert 40 <= found[("extramile_worker_heartbeat_age_seconds", ())] < 40 + 120
    assert found[("extramile_workers_alive", ())] == 1
    plan = (("day", "2026-11-23"), ("zone", "America/New_York"))
    assert found[("extramile_plan_last_finished_timestamp_seconds", plan)] > 0
    assert found[("extramile_plan_last_duration_seconds", plan)] >= 0
    # The batch ran everything: nothing waits.
    assert found[("extramile_task_queue_oldest_age_seconds", ())] == 0
    assert found[("extramile_tasks_running", ())] == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.time_machine(NOW)
def test_a_waiting_task_shows_in_depth_and_age(client, settings, company, owner):
    from extramile.runtime.tasks import send_outbox

    settings.EXTRAMILE_METRICS_TOKEN = TOKEN
    send_outbox.enqueue()
    found = scrape(client)
    assert found[("extramile_task_queue_depth", (("queue", "default"),))] == 1


@pytest.mark.django_db
@pytest.mark.time_machine(NOW)
def test_requests_are_timed_by_route_name(client, settings, owner, customer):
    settings.EXTRAMILE_METRICS_TOKEN = TOKEN
    client.login(username=owner.username, password=PASSWORD)
    before = scrape(client)
    key = (
        "extramile_http_request_duration_seconds_count",
        (("method", "GET"), ("route", "customer"), ("status", "2xx")),
    )
    assert client.get(f"/customers/{customer.pk}/").status_code == 200
    assert client.get(f"/customers/{customer.pk}/").status_code == 200
    assert client.get("/customers/999999/").status_code == 404
    found = scrape(client)
    assert found[key] - before.get(key, 0) == 2
    missing = (
        "extramile_http_request_duration_seconds_count",
        (("method", "GET"), ("route", "customer"), ("status", "4xx")),
    )
    assert found[missing] - before.get(missing, 0) == 1


@pytest.mark.django_db
def test_a_database_that_does_not_answer_is_a_gauge_not_an_error(client, settings, monkeypatch):
    from django.db import OperationalError

    from extramile.ops.metrics import DatabaseCollector

    def refuse(self, now):
        raise OperationalError("connection refused")

    settings.EXTRAMILE_METRICS_TOKEN = TOKEN
    monkeypatch.setattr(DatabaseCollector, "families", refuse)
    found = scrape(client)
    assert found[("extramile_database_up", ())] == 0
