"""Logs an operator can use: JSON lines, a request id on every line of a request and of the
tasks it enqueued, and no personal data (names, e-mail addresses, message bodies) at INFO."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import socket

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory

from extramile.api.tokens import issue
from extramile.mailsync import crypto
from extramile.mailsync.models import MailboxConnection
from extramile.ops import logs
from extramile.ops.models import TaskOrigin
from extramile.ops.requestid import RequestIdFilter, RequestIdMiddleware
from extramile.runtime.management.commands.worker import run_batch
from extramile.runtime.tasks import plan_zone
from tests.conftest import PASSWORD, make_customer

# 14:30 UTC on a Monday: 09:30 in New York, business hours.
NOW = dt.datetime(2026, 11, 23, 14, 30, tzinfo=dt.UTC)


@pytest.fixture
def captured():
    """Every log line at INFO and above, as the JSON formatter writes it."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logs.json_formatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in ("", "django", "extramile")}
    root.addHandler(handler)
    for name in levels:
        logging.getLogger(name).setLevel(logging.INFO)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def lines(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_the_log_format_is_plain_or_json():
    assert logs.config("json", "INFO")["handlers"]["console"]["formatter"] == "json"
    assert logs.config("", "")["handlers"]["console"]["formatter"] == "plain"
    with pytest.raises(ImproperlyConfigured, match="plain or json"):
        logs.config("yaml", "INFO")


def test_a_json_line_has_the_fields_an_operator_filters_on(captured):
    logging.getLogger("extramile.test").info("Planned %s actions", 12)
    (line,) = lines(captured)
    assert line["level"] == "INFO"
    assert line["logger"] == "extramile.test"
    assert line["message"] == "Planned 12 actions"
    assert line["request_id"] == "-"
    assert line["time"] and isinstance(line["process"], int)


@pytest.mark.django_db
def test_the_request_id_is_taken_from_the_caller_or_made(client, captured):
    given = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.42")
    assert given["X-Request-ID"] == "lb-7f3a.42"
    made = client.get("/healthz")
    assert len(made["X-Request-ID"]) == 32
    # Not a header that could forge log lines or fill the disk.
    for bad in ("two\nlines", "x" * 65, "<script>"):
        answer = client.get("/healthz", HTTP_X_REQUEST_ID=bad)
        assert answer["X-Request-ID"] != bad and len(answer["X-Request-ID"]) == 32
    access = [line for line in lines(captured) if line["logger"] == "extramile.request"]
    assert [line["request_id"] for line in access][:2] == ["lb-7f3a.42", made["X-Request-ID"]]
    assert access[0]["message"].startswith("GET healthz 200")


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_in_a_request_runs_under_its_id(company, owner, customer, captured):
    """The real middleware around a view that enqueues the nightly plan; the real worker runs it."""

    def view(request):
        plan_zone.enqueue("2026-11-23", "America/New_York")
        logging.getLogger("extramile.test").info("view ran")
        return HttpResponse("queued")

    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="req-2611")
    response = RequestIdMiddleware(view)(request)
    assert response["X-Request-ID"] == "req-2611"
    origin = TaskOrigin.objects.get()
    assert origin.request_id == "req-2611"

    run_batch(worker_id="test", now=NOW)

    about = [line for line in lines(captured) if origin.task_id in line["message"]]
    assert [(line["logger"], line["request_id"]) for line in about] == [
        ("extramile.tasks", "req-2611"),  # enqueued, in the request
        ("extramile.tasks", "req-2611"),  # started, in the worker
        ("django_tasks", "req-2611"),  # state=RUNNING
        ("django_tasks", "req-2611"),  # state=SUCCESSFUL
    ]
    assert "started for a web request" in about[1]["message"]
    assert about[3]["message"].endswith("state=SUCCESSFUL")
    assert not TaskOrigin.objects.exists()  # forgotten once the task ended
    # Outside the request and the task, lines have no id.
    logging.getLogger("extramile.test").info("after")
    assert lines(captured)[-1]["request_id"] == "-"


@pytest.mark.django_db(transaction=True)
def test_tasks_the_scheduler_enqueued_get_an_id_of_their_own(company, owner, captured):
    run_batch(worker_id="test", now=dt.datetime(2026, 11, 23, 5, 10, tzinfo=dt.UTC))
    started = [line for line in lines(captured) if "started" in line["message"]]
    ids = {line["request_id"] for line in started}
    assert len(ids) == len(started) >= 1 and "-" not in ids


@pytest.mark.django_db(transaction=True)
@pytest.mark.time_machine(NOW)
def test_no_names_addresses_or_message_bodies_in_the_logs(client, company, owner, captured):
    """Pages, the API (inbound message, sale, an action done) and the worker's tasks (the nightly
    plan, the digest) at INFO: the log names none of the people nor quotes what they wrote."""
    owner.username = "philippa.quennell"
    owner.first_name, owner.last_name, owner.email = "Philippa", "Quennell", "pq@dealer.example"
    owner.digest_at = dt.time(9, 0)
    owner.save()
    person = make_customer(owner, "Bartholomew", "Zellweger", birth_month=11, birth_day=23)
    person.emails.create(address="bart.zellweger@mailbox.example", is_primary=True)
    person.phones.create(number="+12025550143", is_primary=True)
    _, secret = issue("Phone system", NOW, user=owner)
    # Her mailbox, on a server that refuses the connection: the poll fails every minute.
    MailboxConnection.objects.create(
        user=owner,
        host="127.0.0.1",
        port=free_port(),
        security="none",
        username="pq@dealer.example",
        password_encrypted=crypto.encrypt("hunter2"),
        sent_folder="Sent",
        since=NOW - dt.timedelta(days=1),
        connected_at=NOW - dt.timedelta(days=1),
        updated_at=NOW - dt.timedelta(days=1),
    )
    private = ["Philippa", "Quennell", "pq@dealer.example", "Bartholomew", "Zellweger"]
    private += ["bart.zellweger@mailbox.example", "Brakes squeal when cold", "+12025550143"]

    api = {"HTTP_AUTHORIZATION": f"Bearer {secret}", "content_type": "application/json"}
    inbound = {
        "channel": "email",
        "from": "Bart.Zellweger@mailbox.example",
        "name": "Bartholomew Zellweger",
        "summary": "Brakes squeal when cold",
    }
    assert client.post("/api/inbound", inbound, **api).status_code == 201
    # The same sale twice under one Idempotency-Key, and a conflicting duplicate message.
    sale = {"customer": person.pk, "date": "2026-11-23", "description": "Zellweger's van"}
    sale["amount"] = "1"
    private.append("Zellweger's van")
    for _ in range(2):
        answer = client.post("/api/sales", sale, HTTP_IDEMPOTENCY_KEY="sale-1", **api)
        assert answer.status_code == 201
    run_batch(worker_id="test", now=NOW)  # the plan, the digest, the outbox
    today = client.get("/api/actions/today", **api).json()["results"]
    assert today
    action = today[0]["id"]
    assert client.post(f"/api/actions/{action}/complete", {}, **api).status_code == 200
    assert client.login(username=owner.username, password=PASSWORD)
    for path in ("/", "/customers/?q=Zellweger", f"/customers/{person.pk}/", "/inbox/"):
        assert client.get(path).status_code == 200
    assert client.get("/customers/?q=bart.zellweger@mailbox.example").status_code == 200
    run_batch(worker_id="test", now=NOW + dt.timedelta(minutes=1))
    assert MailboxConnection.objects.get().last_error  # the poll ran, and failed

    text = captured.getvalue()
    assert "extramile.request" in text and "extramile.tasks" in text  # something was logged
    found = [word for word in private if word.lower() in text.lower()]
    assert found == [], f"personal data in the log: {found}\n{text}"
