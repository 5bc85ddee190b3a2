"""Logging a message from another book's customer: it still reaches that customer's rep (a shared
front desk), but the logger's answer — page, API, CLI — tells nothing of a book they cannot see:
no name, no id, no owner, no deadline, and the same words, status and shape whichever book it was."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from extramile.accounts.models import Role, Team
from extramile.agenda.models import Action
from extramile.book.models import EmailAddress, PhoneNumber
from extramile.inbox.models import InboundMessage
from extramile.inbox.services import PASSED_ON
from tests.api.conftest import Api, token_for
from tests.conftest import NOW, PASSWORD, make_customer, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

HTMX = {"HTTP_HX_REQUEST": "true"}
ANNA = "+12125550100"  # olivia's customer (team North, New York)
BRUNO = "+12125550111"  # tess's customer (team East, Tokyo)
NOBODY = "+12125550122"  # nobody's
SHARED = "+12125550133"  # one customer of olivia's and one of tess's


@pytest.fixture
def books(owner, customer, company):
    east = Team.objects.create(name="East")
    tess = make_user("tess", team=east, time_zone="Asia/Tokyo")
    bruno = make_customer(tess, "Bruno", "Keller")
    PhoneNumber.objects.create(customer=customer, number=ANNA)
    EmailAddress.objects.create(customer=customer, address="anna@example.com")
    PhoneNumber.objects.create(customer=bruno, number=BRUNO)
    other = make_customer(owner, "Ada", "Lamb")
    PhoneNumber.objects.create(customer=other, number=SHARED)
    PhoneNumber.objects.create(customer=make_customer(tess, "Cy", "Moss"), number=SHARED)
    return {"olivia": owner, "tess": tess, "anna": customer, "bruno": bruno}


@pytest.fixture
def other_manager(other_team):
    return make_user("mona", role=Role.MANAGER, team=other_team)


SECRETS = ("Anna", "Smith", "Bruno", "Keller", "olivia", "Olivia", "tess", "Tess", "Tokyo")


def assert_tells_nothing(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret


def test_the_message_still_reaches_the_customers_rep(client, books, outsider):
    client.force_login(outsider)
    client.post(reverse("inbox-log"), {"channel": "call", "sender": "212-555-0100"}, **HTMX)
    message = InboundMessage.objects.get()
    assert message.customer == books["anna"] and message.owner == books["olivia"]
    reply = Action.objects.get(key=message.action_key)
    assert reply.kind == "reply" and reply.owner == books["olivia"]


@pytest.mark.parametrize("logger", ["outsider", "other_manager"])
def test_the_quick_log_answer_is_the_same_for_every_book_it_cannot_see(
    client, books, logger, request
):
    user = request.getfixturevalue(logger)
    assert client.login(username=user.username, password=PASSWORD)
    answers = [
        client.post(reverse("inbox-log"), {"channel": "call", "sender": sender}, **HTMX)
        for sender in (ANNA, BRUNO)
    ]
    assert [a.status_code for a in answers] == [200, 200]
    first, second = (a.content.decode() for a in answers)
    assert first == second
    assert "Logged call. " + PASSED_ON in first
    assert_tells_nothing(first)
    # Without htmx: the message shown on the page it goes back to says the same.
    page = client.post(
        reverse("inbox-log"), {"channel": "email", "sender": "anna@example.com"}, follow=True
    ).content.decode()
    assert "Logged e-mail. " + PASSED_ON in page
    assert_tells_nothing(page)


def test_the_quick_log_tells_its_own_rep_everything(client, books, owner):
    client.force_login(owner)
    answer = client.post(reverse("inbox-log"), {"channel": "call", "sender": ANNA}, **HTMX)
    assert "Logged call from Anna Smith" in answer.content.decode()
    assert "owed by you" in answer.content.decode()


def test_a_shared_address_does_not_count_other_books_customers_aloud(client, books, outsider):
    client.force_login(outsider)
    answer = client.post(reverse("inbox-log"), {"channel": "call", "sender": SHARED}, **HTMX)
    nobody = client.post(reverse("inbox-log"), {"channel": "call", "sender": NOBODY}, **HTMX)
    # Customers of two books share it: it stays with the logger, unmatched, said exactly as for a
    # number nobody has.
    assert answer.content.decode() == nobody.content.decode()
    assert "share" not in answer.content.decode()


@pytest.mark.parametrize("logger", ["outsider", "other_manager"])
def test_the_api_answer_is_the_same_for_every_book_it_cannot_see(client, books, logger, request):
    api = Api(client, token_for(request.getfixturevalue(logger)))
    answers = [
        api.post("/api/inbound", {"channel": "call", "from": ANNA, "summary": "Call back"}),
        api.post("/api/inbound", {"channel": "call", "from": BRUNO, "summary": "Call back"}),
        api.post("/api/inbound", {"channel": "email", "from": "ANNA@example.com"}),
    ]
    assert [a.status_code for a in answers] == [201, 201, 201]
    bodies = [a.json() for a in answers]
    assert bodies[0] == bodies[1] == bodies[2]
    assert bodies[0] == {
        "id": None,
        "customer": None,
        "owner": None,
        "reply_due_at": None,
        "created": True,
        "note": PASSED_ON,
    }
    assert_tells_nothing(json.dumps(bodies))
    # All three were stored and routed to the customers' reps.
    owners = sorted(m.owner.username for m in InboundMessage.objects.all())
    assert owners == ["olivia", "olivia", "tess"]


def test_a_repeated_external_id_gets_the_same_answer_again(client, books, outsider):
    api = Api(client, token_for(outsider))
    body = {"channel": "call", "from": ANNA, "external_id": "desk-1"}
    first = api.post("/api/inbound", body)
    again = api.post("/api/inbound", body)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json() == {**first.json(), "created": False}
    assert InboundMessage.objects.count() == 1


def test_the_api_tells_whoever_may_see_the_message(client, books, owner, manager):
    for user in (owner, manager):
        data = Api(client, token_for(user)).post("/api/inbound", {"channel": "call", "from": ANNA})
        assert data.json()["customer"] == books["anna"].pk and data.json()["owner"] == "olivia"


def cli(*args: str) -> str:
    out = io.StringIO()
    call_command("inbound", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_cli_answers_as_the_user_who_took_it(books, outsider):
    answers = [
        cli("--channel", "call", "--from", sender, "--user", outsider.username)
        for sender in (ANNA, BRUNO)
    ]
    assert answers[0] == answers[1] == f"message: passed on\n{PASSED_ON}\n"
    assert InboundMessage.objects.filter(owner=books["olivia"]).count() == 1
    # The same user taking a call from their own or an unknown number is told everything.
    assert "owner: oscar" in cli("--channel", "call", "--from", NOBODY, "--user", "oscar")


def test_the_cli_without_a_user_speaks_for_the_company(books):
    out = cli("--channel", "call", "--from", ANNA)
    assert f"customer: {books['anna'].pk} Anna Smith" in out and "owner: olivia" in out
