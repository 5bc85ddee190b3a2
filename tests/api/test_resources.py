"""Happy paths and rules of the other routers: households, key dates, facts, sales, referrals,
promises, service requests and inbound messages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from extramile.agenda.models import Action, ActionStatus
from extramile.book.models import Customer, Fact, KeyDate, Promise, Referral
from extramile.inbox.models import InboundMessage
from extramile.service.models import ServiceRequest
from tests.conftest import make_customer

pytestmark = pytest.mark.django_db


def test_households_group_customers(as_owner, owner, customer, outsider_customer):
    partner = make_customer(owner, "Ben", "Smith")
    created = as_owner.post(
        "/api/households",
        {
            "name": "The Smiths",
            "city": "Boston",
            "country": "us",
            "members": [customer.pk, partner.pk],
        },
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["members"] == sorted([customer.pk, partner.pk]) and data["country"] == "US"
    listed = as_owner.get("/api/customers", household=data["id"]).json()
    assert listed["count"] == 2
    stealing = as_owner.patch(f"/api/households/{data['id']}", {"members": [outsider_customer.pk]})
    assert stealing.status_code == 404 and "no customer" in stealing.json()["detail"]
    smaller = as_owner.patch(f"/api/households/{data['id']}", {"members": [customer.pk]}).json()
    assert smaller["members"] == [customer.pk]
    assert Customer.objects.get(pk=partner.pk).household is None
    assert as_owner.delete(f"/api/households/{data['id']}").status_code == 204
    assert Customer.objects.get(pk=customer.pk).household is None


def test_key_dates_take_29_february_but_never_30(as_owner, customer):
    body = {"customer": customer.pk, "kind": "wedding", "month": 2, "day": 29}
    created = as_owner.post("/api/key-dates", body)
    assert created.status_code == 201 and created.json()["title"] == "Wedding anniversary"
    refused = as_owner.post("/api/key-dates", {**body, "day": 30})
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "day"]
    custom = as_owner.post("/api/key-dates", {**body, "kind": "custom", "day": 3})
    assert (
        custom.status_code == 422 and "Say what this date is" in custom.json()["detail"][0]["msg"]
    )
    pk = created.json()["id"]
    # 2001 is a year; with the stored 29 February it is not a date: the record refuses (409).
    not_leap = as_owner.patch(f"/api/key-dates/{pk}", {"year": 2001})
    assert not_leap.status_code == 409 and "no day 29" in not_leap.json()["detail"]
    together = as_owner.patch(f"/api/key-dates/{pk}", {"month": 2, "day": 29, "year": 2001})
    assert together.status_code == 422 and together.json()["detail"][0]["loc"] == ["body", "day"]
    assert as_owner.patch(f"/api/key-dates/{pk}", {"year": 2004}).json()["year"] == 2004
    assert [d["id"] for d in as_owner.get("/api/key-dates", month=2).json()["results"]] == [pk]
    assert as_owner.delete(f"/api/key-dates/{pk}").status_code == 204
    assert not KeyDate.objects.exists()


def test_facts_with_tags(as_owner, customer):
    body = {
        "customer": customer.pk,
        "text": "  Daughter Mia starts college ",
        "tags": ["Family", "college", "family"],
    }
    created = as_owner.post("/api/facts", body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["text"] == "Daughter Mia starts college" and data["tags"] == ["family", "college"]
    assert as_owner.get("/api/facts", tag="college").json()["count"] == 1
    assert as_owner.get("/api/facts", tag="golf").json()["count"] == 0
    pinned = as_owner.patch(f"/api/facts/{data['id']}", {"pinned": True}).json()
    assert pinned["pinned"] is True
    assert as_owner.get("/api/facts", pinned="true").json()["count"] == 1
    assert as_owner.get("/api/facts", pinned="yes").status_code == 422
    blank = as_owner.post("/api/facts", {"customer": customer.pk, "text": "   "})
    assert blank.status_code == 422 and Fact.objects.count() == 1


def test_sales_list_filters_and_the_future(as_owner, customer, owner):
    for day, what in (("2026-01-10", "Sofa"), ("2026-03-05", "Lamp")):
        body = {"customer": customer.pk, "date": day, "description": what, "amount": "10.50"}
        assert as_owner.post("/api/sales", body).status_code == 201
    spring = as_owner.get("/api/sales", since="2026-02-01").json()["results"]
    assert [s["description"] for s in spring] == ["Lamp"]
    assert as_owner.get("/api/sales", customer=customer.pk, sold_by="olivia").json()["count"] == 2
    assert as_owner.get("/api/sales", until="0").status_code == 422
    tomorrow = owner.local_date(timezone.now()) + dt.timedelta(days=1)
    future = as_owner.post(
        "/api/sales",
        {"customer": customer.pk, "date": tomorrow.isoformat(), "description": "x", "amount": 1},
    )
    assert future.status_code == 409 and "future" in future.json()["detail"]


def test_a_referral_reward_is_owed_after_the_sale_then_paid(as_owner, owner, customer):
    friend = make_customer(owner, "Fred", "Friend")
    body = {
        "referrer": customer.pk,
        "referred": friend.pk,
        "date": "2026-11-01",
        "reward_amount": "50",
    }
    created = as_owner.post("/api/referrals", body)
    assert created.status_code == 201 and created.json()["reward_status"] == "pending"
    pk = created.json()["id"]
    assert as_owner.post("/api/referrals", body).status_code == 409
    early = as_owner.post(f"/api/referrals/{pk}/pay", {"paid_on": "2026-11-20"})
    assert early.status_code == 409 and "owed" in early.json()["detail"]
    sale = {"customer": friend.pk, "date": "2026-11-02", "description": "Car", "amount": "9000"}
    assert as_owner.post("/api/sales", sale).status_code == 201
    assert as_owner.get(f"/api/referrals/{pk}").json()["reward_status"] == "owed"
    paid = as_owner.post(f"/api/referrals/{pk}/pay", {"paid_on": "2026-11-20"}).json()
    assert paid["reward_status"] == "paid" and paid["reward_paid_on"] == "2026-11-20"
    self_referral = as_owner.post("/api/referrals", {**body, "referred": customer.pk})
    assert self_referral.status_code == 409
    assert self_referral.json()["detail"] == "A customer cannot refer themselves."
    assert Referral.objects.count() == 1


def test_promises_overdue_and_met(as_owner, owner, customer):
    today = owner.local_date(timezone.now())
    late = Promise.objects.create(
        customer=customer, description="Send the quote", due_on=today - dt.timedelta(days=2)
    )
    created = as_owner.post(
        "/api/promises",
        {
            "customer": customer.pk,
            "description": "Call after the service",
            "due_on": today.isoformat(),
        },
    )
    assert created.status_code == 201 and created.json()["created_by"] == "olivia"
    overdue = as_owner.get("/api/promises", overdue="true").json()["results"]
    assert [p["id"] for p in overdue] == [late.pk] and overdue[0]["overdue"] is True
    met = as_owner.post(f"/api/promises/{late.pk}/met")
    assert met.status_code == 200 and met.json()["met_at"] is not None
    assert as_owner.post(f"/api/promises/{late.pk}/met").status_code == 409
    assert as_owner.get("/api/promises", met="false").json()["count"] == 1


def test_a_service_request_from_open_to_resolved(as_owner, owner, customer):
    created = as_owner.post(
        "/api/service-requests",
        {
            "customer": customer.pk,
            "subject": "Brakes squeak",
            "priority": "high",
            "went_wrong": True,
        },
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["status"] == "new" and data["assignee"] == "olivia" and data["due_at"]
    assert Action.objects.filter(key=f"service:{data['id']}", status="open").exists()
    assert as_owner.get("/api/service-requests", open="true").json()["count"] == 1
    responded = as_owner.post(f"/api/service-requests/{data['id']}/respond", {"text": "Called"})
    assert responded.json()["status"] == "open" and responded.json()["first_response_at"]
    no_story = as_owner.post(f"/api/service-requests/{data['id']}/resolve", {"resolution": "Fixed"})
    assert no_story.status_code == 409 and "story" in no_story.json()["detail"]
    resolved = as_owner.post(
        f"/api/service-requests/{data['id']}/resolve",
        {"resolution": "Fixed", "story": "Replaced the pads the same afternoon"},
    )
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    assert ServiceRequest.objects.get().extra_mile_story is not None
    assigning_away = as_owner.post(
        "/api/service-requests", {"customer": customer.pk, "subject": "x", "assignee": "oscar"}
    )
    assert assigning_away.status_code == 404  # oscar is in another team: not one olivia sees


def test_inbound_messages_owed_and_replied(as_owner, owner, customer):
    body = {"channel": "email", "from": "lead@example.com", "summary": "Price?", "to": "olivia"}
    created = as_owner.post("/api/inbound", body).json()
    owed = as_owner.get("/api/inbound", owed="true").json()["results"]
    assert [m["id"] for m in owed] == [created["id"]]
    assert owed[0]["from"] == "lead@example.com" and owed[0]["customer"] is None
    replied = as_owner.post(f"/api/inbound/{created['id']}/replied")
    assert replied.status_code == 200 and replied.json()["replied_by"] == "olivia"
    assert as_owner.post(f"/api/inbound/{created['id']}/replied").status_code == 409
    assert as_owner.get("/api/inbound", owed="true").json()["count"] == 0
    action = Action.objects.get(key=f"reply:{created['id']}")
    assert action.status == ActionStatus.DONE
    assert InboundMessage.objects.get().replied_at is not None
