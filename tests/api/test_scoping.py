"""Token kinds and scoping on every route: another user's token sees none of this user's records
(404 on details, never 403, so their existence is not revealed); a company token delivers the
webhooks only; a revoked token is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from extramile.accounts.models import ApiToken
from extramile.agenda.models import Action, Priority
from extramile.book.models import Fact, Household, KeyDate, Promise, Referral
from extramile.book.services import record_sale
from extramile.culture.models import Story, Visibility
from extramile.inbox.services import receive
from extramile.service.services import open_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(owner, customer, colleague_customer):
    """One of each record in the owner's book; returns {list path: id}."""
    now = timezone.now()
    today = owner.local_date(now)
    household = Household.objects.create(name="The Smiths")
    customer.household = household
    customer.save()
    message = receive(
        channel="email",
        from_address="anna@example.com",
        received_at=now,
        summary="Question",
        now=now,
        owner=owner,
    ).message
    action = Action.objects.create(
        key="test:1",
        kind="follow_up",
        owner=owner,
        customer=customer,
        title="Follow up with Anna",
        due_on=today,
        priority=Priority.NORMAL,
        created_at=now,
        updated_at=now,
    )
    story = Story.objects.create(
        author=owner,
        customer=customer,
        date=today,
        what_done="Drove the spare key over",
        visibility=Visibility.PRIVATE,
        created_at=now,
        updated_at=now,
    )
    return {
        "/api/customers": customer.pk,
        "/api/households": household.pk,
        "/api/key-dates": KeyDate.objects.create(
            customer=customer, kind="wedding", month=6, day=1
        ).pk,
        "/api/facts": Fact.objects.create(customer=customer, text="Plays the cello").pk,
        "/api/sales": record_sale(customer, today, "Tyres", 100, owner, now=now).pk,
        "/api/referrals": Referral.objects.create(
            referrer=customer, referred=colleague_customer, date=today
        ).pk,
        "/api/promises": Promise.objects.create(
            customer=customer, description="Send the quote", due_on=today
        ).pk,
        "/api/service-requests": open_request(
            customer=customer, subject="Brakes squeak", opened_by=owner, now=now
        ).pk,
        "/api/inbound": message.pk,
        "/api/actions": action.pk,
        "/api/stories": story.pk,
    }


LISTS = [
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


def detail(path: str) -> str:
    return path.removesuffix("/today")


@pytest.mark.parametrize("path", LISTS)
def test_the_owner_sees_each_record(as_owner, book, path):
    listed = as_owner.get(path)
    assert listed.status_code == 200, listed.content
    ids = [row["id"] for row in listed.json()["results"]]
    pk = book[detail(path)]
    assert pk in ids
    one = as_owner.get(f"{detail(path)}/{pk}")
    assert one.status_code == 200 and one.json()["id"] == pk


@pytest.mark.parametrize("path", LISTS)
def test_another_teams_token_sees_none_of_them(as_outsider, book, outsider_customer, path):
    listed = as_outsider.get(path)
    assert listed.status_code == 200
    ids = {row["id"] for row in listed.json()["results"]}
    assert book[detail(path)] not in ids
    if path == "/api/customers":
        assert ids == {outsider_customer.pk}  # their own book, nothing else
    one = as_outsider.get(f"{detail(path)}/{book[detail(path)]}")
    assert one.status_code == 404
    assert "that you can see" in one.json()["detail"]


def test_a_colleague_in_the_same_team_sees_none_of_them_either(client, colleague, book):
    from tests.api.conftest import Api, token_for

    colleague_api = Api(client, token_for(colleague))
    for path in LISTS:
        ids = {row["id"] for row in colleague_api.get(path).json()["results"]}
        assert book[detail(path)] not in ids or path == "/api/referrals", path
    # The referral's other side is the colleague's customer: they see it, without our customer.
    referral = colleague_api.get(f"/api/referrals/{book['/api/referrals']}").json()
    assert referral["referrer"] is None and referral["referred"] is not None


def test_the_manager_sees_the_teams_customers_but_not_private_stories(as_manager, book):
    ids = {row["id"] for row in as_manager.get("/api/customers").json()["results"]}
    assert book["/api/customers"] in ids
    assert as_manager.get(f"/api/stories/{book['/api/stories']}").status_code == 404


@pytest.mark.parametrize("path", LISTS)
def test_a_company_token_is_for_webhooks_only(as_company, book, path):
    response = as_company.get(path)
    assert response.status_code == 403
    assert "company token only delivers webhooks" in response.json()["detail"]
    assert as_company.get(f"{detail(path)}/{book[detail(path)]}").status_code == 403


def test_a_company_token_delivers_the_webhooks(as_company, customer):
    call = {"channel": "call", "from": "(212) 555-0100"}
    assert as_company.post("/api/inbound", call).status_code == 201
    sale = {"customer": customer.pk, "date": "2026-11-02", "description": "Tyres", "amount": "9"}
    assert as_company.post("/api/sales", sale).status_code == 201
    me = as_company.get("/api/me").json()
    assert me["token"]["kind"] == "company" and me["username"] is None


def test_me_names_the_tokens_user(as_owner):
    me = as_owner.get("/api/me").json()
    assert me["username"] == "olivia" and me["role"] == "rep" and me["team"] == "North"
    assert me["token"]["kind"] == "personal" and me["token"]["prefix"].startswith("em_")


def test_a_revoked_token_is_refused_everywhere(as_owner, book, settings):
    settings.LOCKOUT_FAILURES = len(LISTS) + 1  # one client, many refusals: not a lockout yet
    assert as_owner.get("/api/customers").status_code == 200
    ApiToken.objects.update(revoked_at=timezone.now())
    for path in LISTS:
        response = as_owner.get(path)
        assert response.status_code == 401, path
        assert response.json() == {"detail": "This API token was revoked."}
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_inactive_users_token_is_refused(as_owner, owner):
    owner.is_active = False
    owner.save()
    response = as_owner.get("/api/customers")
    assert response.status_code == 401 and "no longer active" in response.json()["detail"]


def test_a_replayed_external_id_does_not_reveal_another_users_message(as_owner, as_outsider):
    body = {"channel": "email", "from": "someone@example.com", "external_id": "form-7"}
    assert as_owner.post("/api/inbound", body).status_code == 201
    again = as_outsider.post("/api/inbound", body)
    # The answer for any message the token's user cannot see: "passed on", nothing of it.
    assert again.status_code == 200
    assert again.json()["id"] is None and again.json()["owner"] is None
    assert again.json()["created"] is False
    assert "someone@example.com" not in again.content.decode()


def test_body_references_to_another_books_customer_are_404(as_outsider, customer):
    day = dt.date.today().isoformat()
    for path, body in [
        ("/api/facts", {"customer": customer.pk, "text": "x"}),
        ("/api/key-dates", {"customer": customer.pk, "kind": "wedding", "month": 1, "day": 2}),
        ("/api/promises", {"customer": customer.pk, "description": "x", "due_on": day}),
        ("/api/service-requests", {"customer": customer.pk, "subject": "x"}),
        ("/api/sales", {"customer": customer.pk, "date": day, "description": "x", "amount": "1"}),
    ]:
        response = as_outsider.post(path, body)
        assert response.status_code == 404, (path, response.content)
    assert not Fact.objects.exists() and not Promise.objects.exists()
