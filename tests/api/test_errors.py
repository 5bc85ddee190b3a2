"""One error format: {"detail": "<sentence>"} for 400/401/403/404/409/500 and {"detail": [{loc,
msg, type}]} for 422; and Idempotency-Key."""

from __future__ import annotations

import pytest

from extramile.api.models import IdempotentRequest
from extramile.book.models import Customer, Sale

pytestmark = pytest.mark.django_db


def test_malformed_json_is_400(as_owner):
    response = as_owner.post("/api/customers", "{not json")
    assert response.status_code == 400
    assert response.json() == {"detail": "Cannot parse request body"}


def test_no_token_is_401(client, owner):
    response = client.get("/api/customers")
    assert response.status_code == 401
    assert response.json() == {"detail": "Send your API token: Authorization: Bearer <token>."}


def test_an_unknown_route_is_a_json_404(as_owner):
    response = as_owner.get("/api/customerz")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "no API route /api/customerz" in response.json()["detail"]


def test_a_missing_object_is_404(as_owner):
    response = as_owner.get("/api/customers/987654")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no customer 987654 that you can see."}


def test_a_wrong_type_is_422_with_where_and_what(as_owner, customer):
    response = as_owner.post(
        "/api/promises", {"customer": str(customer.pk), "description": "", "due_on": 0}
    )
    assert response.status_code == 422
    problems = {tuple(p["loc"]): p for p in response.json()["detail"]}
    assert set(problems) == {
        ("body", "customer"),
        ("body", "description"),
        ("body", "due_on"),
    }
    assert "ISO 8601" in problems[("body", "due_on")]["msg"]
    assert all(set(p) == {"loc", "msg", "type"} for p in problems.values())


def test_a_server_error_is_500_in_the_same_shape(as_owner, monkeypatch):
    from extramile.api import customers

    def broken(*args, **kwargs):
        raise RuntimeError("the database caught fire")

    monkeypatch.setattr(customers.services, "search_customers", broken)
    response = as_owner.get("/api/customers", q="anna")
    assert response.status_code == 500
    assert response.json() == {
        "detail": "Something went wrong on our side; it has been logged. Please try again later."
    }
    assert "caught fire" not in response.content.decode()


def test_an_idempotency_key_makes_a_retry_safe(as_owner):
    body = {"first_name": "Bob"}
    first = as_owner.post("/api/customers", body, **{"Idempotency-Key": "create-bob-1"})
    again = as_owner.post("/api/customers", body, **{"Idempotency-Key": "create-bob-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Customer.objects.filter(first_name="Bob").count() == 1
    other = as_owner.post(
        "/api/customers", {"first_name": "Rob"}, **{"Idempotency-Key": "create-bob-1"}
    )
    assert other.status_code == 409 and "different request" in other.json()["detail"]
    assert Customer.objects.count() == 1


def test_a_failed_request_keeps_no_key(as_owner):
    assert as_owner.post("/api/customers", {}, **{"Idempotency-Key": "k"}).status_code == 422
    assert not IdempotentRequest.objects.exists()
    assert (
        as_owner.post(
            "/api/customers", {"first_name": "Bo"}, **{"Idempotency-Key": "k"}
        ).status_code
        == 201
    )


def test_a_webhook_sale_delivered_twice_is_recorded_once(as_company, customer):
    sale = {"customer": customer.pk, "date": "2026-11-02", "description": "Tyres", "amount": "9"}
    headers = {"Idempotency-Key": "crm-sale-77"}
    first = as_company.post("/api/sales", sale, **headers)
    again = as_company.post("/api/sales", sale, **headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Sale.objects.count() == 1


def test_keys_are_per_token(as_owner, as_manager):
    headers = {"Idempotency-Key": "same"}
    assert as_owner.post("/api/customers", {"first_name": "A"}, **headers).status_code == 201
    assert as_manager.post("/api/customers", {"first_name": "B"}, **headers).status_code == 201
    assert Customer.objects.count() == 2


def test_text_with_a_nul_character_is_422_not_a_database_error(as_owner, customer):
    """PostgreSQL cannot store NUL; nobody types it; the schemathesis run sent it."""
    body = as_owner.post("/api/facts", {"customer": customer.pk, "text": "cello\u0000"})
    assert body.status_code == 422
    assert "NUL" in body.json()["detail"][0]["msg"]
    query = as_owner.get("/api/households", q="Smith\x00")
    assert query.status_code == 422
    assert query.json()["detail"][0]["loc"][0] == "query"


def test_a_wrong_method_is_a_json_405(as_owner):
    response = as_owner.client.put(
        "/api/customers", "{}", content_type="application/json", HTTP_AUTHORIZATION="Bearer x"
    )
    assert response.status_code == 405
    assert response.json()["detail"].startswith("PUT is not allowed here; use ")
    assert set(response["Allow"].split(", ")) == {"GET", "POST"}
