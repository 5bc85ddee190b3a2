"""A request body is a JSON object, on every operation that takes one: ``123``, ``[null, null]``,
``"text"``, ``true`` or ``null`` is a 422 that changes nothing, never a request with every field
at its default (which skipped actions and "changed" customers with nothing)."""

from __future__ import annotations

import json
import re

import pytest
from django.utils import timezone

from extramile.agenda.models import Action, ActionStatus
from extramile.api import api
from extramile.api.types import Input
from extramile.book.models import Customer, Sale

pytestmark = pytest.mark.django_db

NOT_OBJECTS = ["123", "[null, null]", '"skip it"', "true", "null", "1.5", "[]"]


def operations_with_a_body(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if "requestBody" in operation:
                yield method, path


def test_every_operation_refuses_a_body_that_is_not_an_object(as_owner, client, company):
    schema = client.get("/api/openapi.json").json()
    operations = list(operations_with_a_body(schema))
    assert len(operations) >= 15
    for method, path in operations:
        url = re.sub(r"\{[^}]+\}", "1", path)
        for body in NOT_OBJECTS:
            response = as_owner.send(method, url, body)
            where = f"{method.upper()} {path} with {body}"
            assert response.status_code == 422, (where, response.content)
            assert response.json()["detail"][0]["loc"] == ["body"], where
            assert "JSON object" in response.json()["detail"][0]["msg"], where


def test_skipping_with_a_number_for_a_body_skips_nothing(as_owner, owner, customer):
    now = timezone.now()
    action = Action.objects.create(
        owner=owner,
        customer=customer,
        kind="follow_up",
        key="follow-up:body",
        title="Follow up",
        due_on=owner.local_date(now),
        created_at=now,
        updated_at=now,
    )
    for body in ("123", "[null, null]"):
        response = as_owner.post(f"/api/actions/{action.pk}/skip", body)
        assert response.status_code == 422, response.content
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_a_patch_with_a_list_for_a_body_changes_nothing(as_owner, customer):
    before = Customer.objects.get(pk=customer.pk).updated_at
    response = as_owner.patch(f"/api/customers/{customer.pk}", json.dumps([None, None]))
    assert response.status_code == 422
    assert Customer.objects.get(pk=customer.pk).updated_at == before


def test_every_body_schema_is_an_input():
    """The refusal lives in ``types.Input``: a body schema that is not one would escape it."""
    bodies = []
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    if model.__ninja_param_source__ == "body":
                        bodies += [f.annotation for f in model.model_fields.values()]
    assert len(bodies) >= 15
    assert all(isinstance(b, type) and issubclass(b, Input) for b in bodies), bodies


def test_a_misspelt_field_is_refused_not_ignored(as_owner, customer):
    response = as_owner.patch(f"/api/customers/{customer.pk}", {"frist_name": "Ann"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "frist_name"]


def test_a_whole_number_may_be_written_with_a_point_zero(as_owner, customer):
    """JSON Schema's ``integer`` is a value: 7.0 is one. 7.5, "7" and true are not."""
    body = {"customer": float(customer.pk), "text": "Plays the cello"}
    assert as_owner.post("/api/facts", body).status_code == 201
    for wrong in (customer.pk + 0.5, str(customer.pk), True):
        response = as_owner.post("/api/facts", {**body, "customer": wrong})
        assert response.status_code == 422, wrong
        assert response.json()["detail"][0]["loc"] == ["body", "customer"]


@pytest.mark.parametrize(
    ("amount", "stored"),
    [(480, "480.00"), (480.0, "480.00"), ("480.5", "480.50"), ("0.35", "0.35"), ("0", "0.00")],
)
def test_an_amount_is_a_whole_number_or_text_to_the_cent(as_owner, customer, amount, stored):
    body = {"customer": customer.pk, "date": "2026-01-02", "description": "Tyres", "amount": amount}
    response = as_owner.post("/api/sales", body)
    assert response.status_code == 201, response.content
    assert str(Sale.objects.get().amount) == stored


@pytest.mark.parametrize("amount", ["", " 5", "1e3", "-5", "5.001", 0.35, 1.1, True, None])
def test_anything_else_is_not_an_amount(as_owner, customer, amount):
    """0.35 as a JSON number is a binary float: what the schema's integer-or-text refuses."""
    body = {"customer": customer.pk, "date": "2026-01-02", "description": "Tyres", "amount": amount}
    response = as_owner.post("/api/sales", body)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"] == ["body", "amount"]
    assert not Sale.objects.exists()


def keys_of(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            if key != "properties":
                yield key
            yield from keys_of(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from keys_of(inner)


def test_the_schema_says_what_a_request_may_hold(client, company):
    """Every request schema is closed (no unknown fields) and every plain text in it refuses NUL;
    an amount says it is to the cent."""
    schema = client.get("/api/openapi.json").json()
    components = schema["components"]["schemas"]
    bodies = {
        operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
        for methods in schema["paths"].values()
        for operation in methods.values()
        if "requestBody" in operation
    }
    texts = 0
    for name in bodies:
        body = components[name]
        assert body["additionalProperties"] is False, name
        for field, spec in body["properties"].items():
            for option in spec.get("anyOf", [spec]):
                if option.get("type") == "string" and not {"format", "enum"} & set(option):
                    assert option.get("pattern"), (name, field)
                    texts += 1
    assert texts >= 50
    amount = components["SaleIn"]["properties"]["amount"]["anyOf"]
    assert {"type": "integer", "minimum": 0}.items() <= amount[0].items()
    assert not set(keys_of(schema)) & {"ge", "le", "gt", "lt"}  # pydantic's names, not JSON's
    queries = [
        parameter["schema"]
        for methods in schema["paths"].values()
        for operation in methods.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query" and parameter["schema"].get("type") == "string"
    ]
    assert queries and all("pattern" in q for q in queries if not {"format", "enum"} & set(q))
