"""The Service pages with the Django test client: the queue, a new request (with its prefill), the
detail page and its forms, the row on Today, the targets, and nobody sees another team's requests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from extramile.agenda.models import Action, ActionStatus
from extramile.service import services
from extramile.service.models import Priority, ServiceRequest, ServiceTarget, Status
from tests.conftest import login, make_customer

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def open_(customer, subject="Warning light", **extra) -> ServiceRequest:
    return services.open_request(
        customer=customer, subject=subject, opened_by=customer.owner, now=timezone.now(), **extra
    )


@pytest.fixture
def mine(customer):
    return open_(customer, details="<script>alert(1)</script>")


@pytest.fixture
def theirs(outsider_customer):
    return open_(outsider_customer, subject="Outsider's problem")


def test_the_queue_lists_what_the_user_may_see_breaching_first(
    client, owner, customer, mine, theirs
):
    ben = make_customer(owner, "Ben", "Brown")
    late = services.open_request(
        customer=ben,
        subject="Old and late",
        opened_by=owner,
        now=timezone.now() - dt.timedelta(days=10),
        priority=Priority.URGENT,
    )
    page = login(client, owner).get(reverse("service")).content.decode()
    assert "Warning light" in page and "Outsider" not in page
    assert page.index("Old and late") < page.index("Warning light")
    assert "1 breaching" in page and "breaching by" in page
    assert late.pk


def test_queue_filters(client, manager, customer, colleague_customer, mine):
    open_(colleague_customer, subject="Colin's case", priority=Priority.LOW, went_wrong=True)
    services.resolve(mine, customer.owner, timezone.now(), "Fixed")
    login(client, manager)
    url = reverse("service")
    assert "Warning light" not in client.get(url).content.decode()  # resolved: not open
    assert "Warning light" in client.get(url, {"status": "resolved"}).content.decode()
    assert "Warning light" in client.get(url, {"status": "all", "q": "warning"}).content.decode()
    assert (
        "Colin&#x27;s case"
        not in client.get(url, {"status": "all", "q": "warning"}).content.decode()
    )
    assert "Colin&#x27;s case" in client.get(url, {"priority": "low"}).content.decode()
    assert "Colin&#x27;s case" in client.get(url, {"went_wrong": "1"}).content.decode()
    colleague = colleague_customer.owner
    page = client.get(url, {"assignee": customer.owner.pk, "status": "all"}).content.decode()
    assert "Colin&#x27;s case" not in page and "Warning light" in page
    assert (
        f'value="{colleague.pk}"' in client.get(url).content.decode()
    )  # managers pick an assignee


def test_another_teams_request_is_a_404(client, owner, theirs):
    login(client, owner)
    assert client.get(reverse("service-request", args=[theirs.pk])).status_code == 404
    response = client.post(
        reverse("service-request", args=[theirs.pk]), {"do": "note", "text": "x"}
    )
    assert response.status_code == 404
    assert client.post(reverse("service-responded", args=[theirs.pk])).status_code == 404


def test_the_detail_page_shows_the_timeline_escaped(client, owner, mine):
    page = login(client, owner).get(reverse("service-request", args=[mine.pk])).content.decode()
    assert "Timeline" in page and "Opened" in page
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    assert "Record the first response" in page


def test_new_request_prefilled_from_a_call_outcome(client, owner, customer):
    login(client, owner)
    url = reverse("service-new")
    page = client.get(
        url, {"customer": customer.pk, "subject": "Brakes squeal", "details": "Since Monday"}
    ).content.decode()
    assert "Anna Smith" in page and 'value="Brakes squeal"' in page and "Since Monday" in page
    response = client.post(
        url, {"customer": customer.pk, "subject": "Brakes squeal", "priority": "high"}
    )
    created = ServiceRequest.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "service-request", args=[created.pk]
    )
    assert created.priority == Priority.HIGH and created.opened_by == owner
    assert Action.objects.filter(key=f"service:{created.pk}", owner=owner).exists()


def test_new_request_finds_the_customer_first(client, owner, customer, outsider_customer):
    login(client, owner)
    page = client.get(reverse("service-new"), {"find": "Anna", "subject": "Hi"}).content.decode()
    assert (
        f"?customer={customer.pk}&amp;subject=Hi" in page
        or f"?customer={customer.pk}&subject=Hi" in page
    )
    page = client.get(reverse("service-new"), {"find": "Xena"}).content.decode()
    assert "No customer in your book matches" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"subject": "", "priority": "normal"}, "Give the request a subject"),
        ({"subject": "x", "priority": "asap"}, "Choose urgent, high, normal or low."),
    ],
)
def test_new_request_form_errors(client, owner, customer, data, message):
    response = login(client, owner).post(reverse("service-new"), {"customer": customer.pk, **data})
    assert response.status_code == 422 and message in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_new_request_for_someone_elses_customer_is_refused(client, owner, outsider_customer):
    response = login(client, owner).post(
        reverse("service-new"),
        {"customer": outsider_customer.pk, "subject": "x", "priority": "normal"},
    )
    assert (
        response.status_code == 422
        and "Choose a customer from your book." in response.content.decode()
    )
    assert not ServiceRequest.objects.exists()


def test_detail_forms_change_the_request(client, owner, manager, mine):
    login(client, owner)
    url = reverse("service-request", args=[mine.pk])
    assert client.post(url, {"do": "respond", "text": "Called back"}).status_code == 302
    assert client.post(url, {"do": "status", "status": "waiting"}).status_code == 302
    assert client.post(url, {"do": "priority", "priority": "urgent"}).status_code == 302
    assert client.post(url, {"do": "reassign", "assignee": manager.pk}).status_code == 302
    mine.refresh_from_db()
    assert (mine.status, mine.priority, mine.assignee) == (Status.WAITING, "urgent", manager)
    # the request stays visible to its customer's rep after handing it to the manager
    assert client.post(url, {"do": "resolve", "resolution": "Sorted"}).status_code == 302
    page = client.get(url).content.decode()
    assert "Sorted" in page and "Reopen" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"do": "resolve", "resolution": ""}, "Say how it was resolved."),
        ({"do": "note", "text": " "}, "Write the note first."),
        ({"do": "reassign", "assignee": "999"}, "Choose someone who can see this customer."),
        ({"do": "status", "status": "new"}, "Choose open or waiting on customer."),
        ({"do": "nonsense"}, "Choose what to do with the request."),
    ],
)
def test_detail_form_errors(client, owner, mine, data, message):
    response = login(client, owner).post(reverse("service-request", args=[mine.pk]), data)
    assert response.status_code == 422 and message in response.content.decode()


def test_the_resolve_form_asks_for_the_story_when_something_went_wrong(client, owner, customer):
    request = open_(customer, went_wrong=True)
    login(client, owner)
    url = reverse("service-request", args=[request.pk])
    assert "your extra-mile story" in client.get(url).content.decode()
    response = client.post(url, {"do": "resolve", "resolution": "Replaced it"})
    assert response.status_code == 422 and "write the extra-mile story" in response.content.decode()
    assert "Replaced it</textarea>" in response.content.decode()  # what was typed is kept
    client.post(url, {"do": "resolve", "resolution": "Replaced it", "story": "Came in on Sunday."})
    request.refresh_from_db()
    assert request.status == Status.RESOLVED and request.story == "Came in on Sunday."


def test_double_submitting_resolve_is_harmless(client, owner, mine):
    login(client, owner)
    url = reverse("service-request", args=[mine.pk])
    assert client.post(url, {"do": "resolve", "resolution": "Fixed"}).status_code == 302
    second = client.post(url, {"do": "resolve", "resolution": "Fixed"})
    assert second.status_code == 422 and "resolved already" in second.content.decode()
    assert mine.events.filter(kind="resolved").count() == 1


def test_the_today_row_shows_the_clock_and_records_the_first_response_in_place(client, owner, mine):
    login(client, owner)
    page = client.get(reverse("today")).content.decode()
    assert "Service (normal): Warning light" in page
    assert ("First response due" in page and "left" in page) or "breaching by" in page
    assert reverse("service-request", args=[mine.pk]) in page and "Responded" in page
    action = Action.objects.get(key=f"service:{mine.pk}")
    assert f"{action.pk}/done/" not in page.split(f'id="action-{action.pk}"')[1].split("</li>")[0]
    row = client.post(reverse("service-responded", args=[mine.pk]), **HTMX).content.decode()
    assert (
        row.startswith('<li class="action') and "Resolution due" in row and ">Responded<" not in row
    )
    mine.refresh_from_db()
    assert mine.first_response_at is not None and mine.status == Status.OPEN
    again = client.post(reverse("service-responded", args=[mine.pk]), **HTMX).content.decode()
    assert "recorded already" in again


def test_done_posted_for_a_service_row_is_refused(client, owner, mine):
    action = Action.objects.get(key=f"service:{mine.pk}")
    row = (
        login(client, owner).post(reverse("action-done", args=[action.pk]), **HTMX).content.decode()
    )
    assert "Resolve" in row
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_targets_page_admins_edit_others_read(client, owner, admin_user):
    login(client, owner)
    assert "Urgent" in client.get(reverse("service-targets")).content.decode()
    assert client.post(reverse("service-targets"), {}).status_code == 403
    login(client, admin_user)
    data = {}
    for priority in Priority.values:
        data[f"{priority}-first_response_hours"] = "2"
        data[f"{priority}-resolve_hours"] = "8"
    data["urgent-first_response_hours"] = "0.5"
    assert client.post(reverse("service-targets"), data).status_code == 302
    assert ServiceTarget.objects.get(priority="urgent").first_response_minutes == 30
    data["low-resolve_hours"] = "1"
    response = client.post(reverse("service-targets"), data)
    assert (
        response.status_code == 422
        and "resolved sooner than it is first answered" in response.content.decode()
    )
    data["low-resolve_hours"] = "abc"
    assert (
        "Write the hours as a number"
        in client.post(reverse("service-targets"), data).content.decode()
    )
