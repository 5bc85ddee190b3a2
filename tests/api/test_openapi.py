"""The OpenAPI description at /api/openapi.json lists every resource and, for every operation,
every status it can answer with its schema."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

RESOURCES = [
    "/api/me",
    "/api/customers",
    "/api/households",
    "/api/key-dates",
    "/api/facts",
    "/api/sales",
    "/api/referrals",
    "/api/promises",
    "/api/service-requests",
    "/api/inbound",
    "/api/actions/today",
    "/api/stories",
]


def test_every_resource_is_described(client, company):
    schema = client.get("/api/openapi.json").json()
    assert set(RESOURCES) <= set(schema["paths"])
    assert client.get("/api/docs").status_code == 200


def test_every_operation_lists_its_errors_with_the_one_error_shape(client, company):
    schema = client.get("/api/openapi.json").json()
    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) >= 45
    for path, method, operation in operations:
        responses = operation["responses"]
        where = f"{method.upper()} {path}"
        assert {"401", "403", "422", "500"} <= set(responses), where
        assert any(code.startswith("2") for code in responses), where
        for code, response in responses.items():
            if code == "204":
                continue
            ref = response["content"]["application/json"]["schema"].get("$ref", "")
            if code == "422":
                assert ref.endswith("/ValidationProblem"), where
            elif code[0] in "45":
                assert ref.endswith("/Problem"), where
        if "{" in path:
            assert "404" in responses, where
        if "requestBody" in operation:
            assert "400" in responses, where
        assert operation.get("summary"), where


def test_every_create_declares_the_idempotency_key_header(client, company):
    schema = client.get("/api/openapi.json").json()
    creates = {
        path: methods["post"]
        for path, methods in schema["paths"].items()
        if "post" in methods and "{" not in path
    }
    assert "/api/customers" in creates and "/api/stories" in creates
    for path, operation in creates.items():
        headers = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "header"}
        assert "Idempotency-Key" in headers, path
        assert not headers["Idempotency-Key"].get("required", False), path
