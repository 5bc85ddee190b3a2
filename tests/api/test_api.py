"""The JSON API: token auth (missing, wrong, revoked → 401), POST /api/inbound, POST /api/sales."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from extramile.accounts.models import ApiToken
from extramile.api.tokens import issue
from extramile.book.models import PhoneNumber, Sale
from extramile.inbox.models import InboundMessage, Source

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret(company, admin_user):
    _, secret = issue("Phone system", timezone.now(), created_by=admin_user)
    return secret


def post(client, path, body, secret=None, **headers):
    if secret is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


CALL = {"channel": "call", "from": "(212) 555-0100", "summary": "Wants a quote"}


@pytest.mark.parametrize(
    ("header", "says"),
    [
        (None, "Send your API token"),
        ("Bearer em_wrong", "not valid"),
        ("Basic dXNlcjpwYXNz", "Bearer"),
        ("Bearer ", "Send your API token"),
    ],
)
def test_a_missing_or_wrong_token_is_refused(client, secret, header, says):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = post(client, "/api/inbound", CALL, **extra)
    assert response.status_code == 401
    assert says in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not InboundMessage.objects.exists()


def test_a_revoked_token_is_refused(client, secret):
    ApiToken.objects.update(revoked_at=timezone.now())
    response = post(client, "/api/inbound", CALL, secret)
    assert response.status_code == 401 and "revoked" in response.json()["detail"]


def test_tokens_are_stored_hashed_and_last_use_is_recorded(client, secret):
    token = ApiToken.objects.get()
    assert token.last_used_at is None
    stored = json.dumps(list(ApiToken.objects.values()), default=str)
    assert secret not in stored and secret[8:] not in stored
    assert post(client, "/api/inbound", CALL, secret).status_code == 201
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_inbound_logs_a_message_and_answers_201(client, secret, customer):
    PhoneNumber.objects.create(customer=customer, number="+12125550100")
    body = {**CALL, "received_at": "2026-11-20T17:55:00-05:00", "external_id": "pbx-42"}
    response = post(client, "/api/inbound", body, secret)
    assert response.status_code == 201
    data = response.json()
    message = InboundMessage.objects.get()
    assert data["id"] == message.pk and data["customer"] == customer.pk
    assert data["owner"] == "olivia" and data["created"] is True
    assert dt.datetime.fromisoformat(data["reply_due_at"]) == dt.datetime(
        2026, 11, 23, 14, 55, tzinfo=dt.UTC
    )
    assert message.source == Source.API
    # The webhook retried: the same message, 200, nothing new.
    again = post(client, "/api/inbound", body, secret)
    assert again.status_code == 200 and again.json()["id"] == message.pk
    assert again.json()["created"] is False
    assert InboundMessage.objects.count() == 1


def test_inbound_to_a_rep_when_nobody_matches(client, secret, owner):
    body = {"channel": "email", "from": "new@example.com", "to": "olivia@example.com"}
    data = post(client, "/api/inbound", body, secret).json()
    assert data["customer"] is None and data["owner"] == "olivia"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"channel": "fax", "from": "+12125550100"}, "Input should be"),
        ({"channel": "call"}, "Field required"),
        ({"channel": "call", "from": "not a phone"}, "is not a phone number"),
        ({"channel": "text", "from": "a@example.com"}, "comes from a phone number"),
        ({**CALL, "received_at": "2026-11-20T17:55:00"}, "time zone"),
        ({**CALL, "received_at": "last friday"}, "datetime"),
    ],
)
def test_bad_input_is_422_with_a_clear_message(client, secret, body, says):
    response = post(client, "/api/inbound", body, secret)
    assert response.status_code == 422
    assert says in json.dumps(response.json()["detail"], ensure_ascii=False)
    assert not InboundMessage.objects.exists()


def test_a_sale_is_recorded(client, secret, customer, owner):
    body = {
        "customer": customer.pk,
        "date": "2026-11-23",
        "description": "Winter tyres",
        "amount": "480.00",
        "sold_by": "olivia",
    }
    response = post(client, "/api/sales", body, secret)
    assert response.status_code == 201, response.content
    sale = Sale.objects.get()
    assert response.json()["id"] == sale.pk and response.json()["sold_by"] == "olivia"
    assert sale.sold_by == owner and str(sale.amount) == "480.00"


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"customer": 999999}, 404, "no customer 999999"),
        ({"amount": "-5"}, 422, "cannot be negative"),
        ({"amount": ""}, 422, "not an amount"),
        ({"amount": "9.999"}, 422, "to the cent"),
        ({"date": "2026-02-30"}, 422, "date"),
        ({"sold_by": "ghost"}, 404, "There is no user"),
        ({"description": ""}, 422, "at least 1 character"),
    ],
)
def test_a_bad_sale_is_refused(client, secret, customer, change, status, says):
    body = {"customer": customer.pk, "date": "2026-11-23", "description": "Tyres", "amount": "1"}
    response = post(client, "/api/sales", {**body, **change}, secret)
    assert response.status_code == status
    assert says in json.dumps(response.json()["detail"])
    assert not Sale.objects.exists()


def test_a_users_token_sees_only_what_the_user_sees(client, owner, customer, outsider_customer):
    _, mine = issue("Olivia's script", timezone.now(), user=owner)
    body = {"date": "2026-11-23", "description": "Tyres", "amount": "1"}
    assert (
        post(client, "/api/sales", {**body, "customer": outsider_customer.pk}, mine).status_code
        == 404
    )
    assert post(client, "/api/sales", {**body, "customer": customer.pk}, mine).status_code == 201
    data = post(client, "/api/inbound", {"channel": "call", "from": "+12125550199"}, mine).json()
    assert data["owner"] == "olivia"


def test_the_openapi_docs_describe_both_endpoints(client, company):
    schema = client.get("/api/openapi.json").json()
    assert {"/api/inbound", "/api/sales"} <= set(schema["paths"])
    assert client.get("/api/docs").status_code == 200
