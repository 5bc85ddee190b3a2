"""The call row on Today, the outcome endpoints, the Calls page, and the tier on the customer pages."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from extramile.agenda.models import Action, ActionStatus, Priority
from extramile.book.models import Contact, Customer
from extramile.outreach.models import Call
from tests.conftest import login
from tests.outreach.conftest import callable_customer

HTMX = {"HTTP_HX_REQUEST": "true"}


def call_today(
    customer: Customer, detail: str = "Tier A, last spoke 47 days ago (every 30 days)."
) -> Action:
    """A call action on the owner's real local today (the pages use the wall clock)."""
    now = timezone.now()
    today = customer.owner.local_date(now)
    return Action.objects.create(
        key=f"call:{customer.pk}:{today}",
        kind="call",
        owner=customer.owner,
        customer=customer,
        title=f"Call {customer.full_name}",
        detail=detail,
        due_on=today,
        expires_on=today,
        priority=Priority.CALL,
        created_at=now,
        updated_at=now,
    )


@pytest.fixture
def anna(owner) -> Customer:
    return callable_customer(owner, "Anna Smith", tier="A", days_ago=47)


def test_the_call_row_on_today_has_why_now_a_tel_link_and_the_outcomes(client, owner, anna):
    action = call_today(anna)
    page = login(client, owner).get(reverse("today")).content.decode()
    number = anna.phones.get().number
    assert f'href="tel:{number}"' in page
    assert "Tier A, last spoke 47 days ago (every 30 days)." in page
    for url in ("all-fine", "no-answer", "service-need", "referral", "sales-lead"):
        assert reverse("call-outcome", args=[action.pk, url]) in page


def test_an_outcome_answers_htmx_with_the_closed_row(client, owner, anna):
    action = call_today(anna)
    response = login(client, owner).post(
        reverse("call-outcome", args=[action.pk, "all-fine"]), **HTMX
    )
    assert response.status_code == 200
    assert "<s>Call Anna Smith</s>" in response.content.decode()
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert Contact.objects.filter(customer=anna, channel="call").count() == 1


def test_an_outcome_without_htmx_redirects_back(client, owner, anna):
    action = call_today(anna)
    response = login(client, owner).post(
        reverse("call-outcome", args=[action.pk, "no-answer"]), {"next": "/calls/"}
    )
    assert response.status_code == 302 and response["Location"] == "/calls/"
    assert Call.objects.get().outcome == "no_answer"


def test_a_bad_outcome_form_says_what_is_missing_and_keeps_the_call_open(client, owner, anna):
    action = call_today(anna)
    response = login(client, owner).post(
        reverse("call-outcome", args=[action.pk, "referral"]), {"name": "Ben"}, **HTMX
    )
    assert "phone number or e-mail" in response.content.decode()
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_another_teams_call_is_not_found(client, outsider, anna):
    action = call_today(anna)
    response = login(client, outsider).post(reverse("call-outcome", args=[action.pk, "all-fine"]))
    assert response.status_code == 404
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_an_unknown_outcome_is_not_found(client, owner, anna):
    action = call_today(anna)
    response = login(client, owner).post(reverse("call-outcome", args=[action.pk, "hang-up"]))
    assert response.status_code == 404


def test_the_calls_page_warns_when_the_book_is_too_big(client, owner, company):
    company.calls_per_day = 1
    company.save()
    for n in range(40):  # 40 A customers: 40/30 a day × 7/5 = 1.9 calls a working day
        callable_customer(owner, f"Cus {n}", tier="A", days_ago=n)
    page = login(client, owner).get(reverse("calls")).content.decode()
    assert "Your book needs 1.9 calls a working day to stay within cadence; you make 1." in page


def test_a_manager_sees_each_rep_of_the_team(client, manager, owner, colleague, outsider):
    callable_customer(owner, "Own One", days_ago=10)
    callable_customer(colleague, "Col One", days_ago=400)
    callable_customer(outsider, "Out One", days_ago=10)
    page = login(client, manager).get(reverse("calls")).content.decode()
    assert "Olivia" in page and "Colin" in page and "Oscar" not in page


def test_setting_the_tier_on_the_form_marks_it_chosen_by_hand(client, owner, anna):
    login(client, owner)
    form = client.get(reverse("customer-edit", args=[anna.pk])).content.decode()
    assert 'name="tier"' in form
    data = {"first_name": "Anna", "last_name": "Smith", "status": "customer", "tier": "B"}
    response = client.post(reverse("customer-edit", args=[anna.pk]), data)
    assert response.status_code == 302
    anna.refresh_from_db()
    assert (anna.tier, anna.tier_by_hand) == ("B", True)


def test_the_customer_page_shows_tier_last_contact_and_the_planned_call(client, owner, anna):
    call_today(anna)
    page = login(client, owner).get(reverse("customer", args=[anna.pk])).content.decode()
    assert "Tier A" in page and "call every 30 days" in page
    assert "call planned for" in page


def test_the_demo_gives_tiers_and_real_last_contacts(owner):
    import random

    from extramile.outreach.demo import populate
    from tests.conftest import NOW

    for n in range(30):
        callable_customer(owner, f"Demo {n}")
    assert populate(NOW, random.Random(3)) == 30
    people = list(Customer.objects.all())
    assert {c.tier for c in people} <= {"A", "B", "C"}
    for person in people:
        latest = Contact.objects.filter(customer=person).first()
        assert person.last_contact_at == (latest.at if latest else None)


def test_today_warns_when_the_book_is_too_big(client, owner, company):
    company.calls_per_day = 1
    company.save()
    today = login(client, owner).get(reverse("today")).content.decode()
    assert "calls a working day" not in today
    for n in range(40):
        callable_customer(owner, f"Cus {n}", tier="A", days_ago=n)
    today = client.get(reverse("today")).content.decode()
    assert "Your book needs 1.9 calls a working day to stay within cadence; you make 1." in today


def test_saving_the_form_without_changing_the_tier_leaves_it_to_the_score(client, owner, anna):
    data = {"first_name": "Anna", "last_name": "Smith", "status": "customer", "tier": "A"}
    login(client, owner).post(reverse("customer-edit", args=[anna.pk]), data)
    del data["tier"]
    client.post(reverse("customer-edit", args=[anna.pk]), data)
    anna.refresh_from_db()
    assert (anna.tier, anna.tier_by_hand) == ("A", False)


def test_the_team_rows_come_from_the_kept_coverage_and_your_own_is_counted_now(
    client, manager, owner, colleague
):
    """The team's coverage is the nightly rollup (counted once, kept), so a customer added since
    shows on your own row at once and on a colleague's row only once it is counted again."""
    from extramile import clock
    from extramile.outreach.coverage import kept_coverage
    from extramile.rollups.models import OwnerRollup

    callable_customer(colleague, "Col One", days_ago=10, now=clock.now())
    login(client, manager).get(reverse("calls"))
    assert OwnerRollup.objects.filter(owner=colleague, name="outreach.coverage").exists()
    callable_customer(colleague, "Col Two", days_ago=400, now=clock.now())
    rows, counted_at = kept_coverage([colleague], clock.now())
    assert counted_at is not None
    assert (rows[0].customers, rows[0].within) == (1, 1)  # the kept count, not the new customer
    page = client.get(reverse("calls")).content.decode()
    assert "Coverage is counted once a day" in page
