"""schemathesis over every operation of /api/openapi.json, against the WSGI app, with a personal
token and every check schemathesis has (``--checks all``): no server error; every status, header
and body as the schema says; every request the schema refuses refused, and every request it
allows accepted (so a business rule is either in the schema or answered 404/409, never a 422 the
schema does not foresee); unsupported methods and missing headers answered as they should be;
and, in the stateful run, a deleted object gone and a created one there.

Derandomised, a few examples per operation, so that it runs in `make test` within a minute or
two and CI sees the same requests every time. To explore further, serve the app and run
`schemathesis run ... --checks all` (docs/api.md).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks

from extramile.api.tokens import issue
from extramile.book.models import Fact, KeyDate, PhoneNumber, Promise
from extramile.book.services import record_sale
from extramile.inbox.models import Source
from extramile.inbox.services import receive
from extramile.wsgi import application

# The formats of our own (phone, time-zone) and e-mail addresses the server takes.
_hooks = Path(__file__).with_name("schemathesis_hooks.py")
_spec = importlib.util.spec_from_file_location("extramile_schemathesis_hooks", _hooks)
assert _spec is not None and _spec.loader is not None
_spec.loader.exec_module(importlib.util.module_from_spec(_spec))

load_all_checks()
ALL_CHECKS = CHECKS.get_all()  # what `schemathesis run --checks all` runs

SETTINGS = settings(
    max_examples=6,
    deadline=None,
    # The same examples on every run: CI stays repeatable.
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

# Read from the running app (at import: schemathesis' lazy fixture loader predates pytest 9).
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


def test_every_check_there_is_runs():
    names = {check.__name__ for check in ALL_CHECKS}
    assert {
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "positive_data_acceptance",
        "missing_required_header",
        "unsupported_method",
        "use_after_free",
        "ensure_resource_availability",
        "ignored_auth",
    } <= names


@pytest.fixture
def secret(db, owner, customer, colleague, outsider_customer):
    """The owner's personal token, with some of the owner's book to find."""
    # The test's transaction must survive each request (Django's test client does the same).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    now = timezone.now()
    PhoneNumber.objects.create(customer=customer, number="+12125550100", is_primary=True)
    KeyDate.objects.create(customer=customer, kind="wedding", month=6, day=1)
    Fact.objects.create(customer=customer, text="Daughter Mia plays the cello")
    today = owner.local_date(now)  # the seller's day (in UTC it may already be tomorrow)
    Promise.objects.create(customer=customer, description="Send the quote", due_on=today)
    record_sale(customer, today, "Winter tyres", 480, owner, now=now)
    receive(
        channel="call",
        from_address="+12125550100",
        received_at=now,
        summary="Call back",
        now=now,
        source=Source.API,
    )
    yield issue("schemathesis", timezone.now(), user=owner)[1]
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _keep_our_host(case):
    # Generated extra headers may include a malformed Host, which Django refuses (400) before any
    # route runs: that is the web server's answer, not the API's, so the Host stays ours.
    if case.headers:
        case.headers = {k: v for k, v in case.headers.items() if k.lower() != "host"}


@schema.parametrize()
@SETTINGS
def test_every_operation_answers_within_its_schema(case, secret):
    _keep_our_host(case)
    case.call_and_validate(headers={"Authorization": f"Bearer {secret}"}, checks=ALL_CHECKS)


def test_sequences_of_operations_answer_within_the_schema(secret):
    """The stateful phase: a customer created, then read, changed and deleted through the links
    schemathesis finds between operations, with every check after every step."""
    base = schema.as_state_machine()
    assert base.bundles, "schemathesis found no links between operations"

    class Machine(base):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case):
            _keep_our_host(case)
            return {"headers": {"Authorization": f"Bearer {secret}"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response,
                checks=ALL_CHECKS,
                headers=kwargs.get("headers"),  # ours: the check for ignored auth knows them
                transport_kwargs=kwargs or None,
                recorder=getattr(self, "recorder", None),
            )

    Machine.run(
        settings=settings(
            SETTINGS,
            max_examples=15,
            stateful_step_count=6,
            suppress_health_check=list(HealthCheck),
        )
    )
