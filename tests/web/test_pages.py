"""The web shell: Today completes actions in place, customers are searchable, the customer page shows
the whole book, forms explain what is wrong, and nobody sees another team's customers."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from extramile.agenda import engine
from extramile.agenda.models import Action, ActionStatus
from extramile.book import services
from extramile.book.models import Customer, Fact, Household, Promise
from tests.conftest import NOW, PASSWORD, login, make_customer

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def planned(customer, colleague_customer, outsider_customer):
    """A promise due today for each customer, planned on the users' real local today (the pages
    use the wall clock); their actions by customer id."""
    from django.utils import timezone

    for c in (customer, colleague_customer, outsider_customer):
        today = c.owner.local_date(timezone.now())
        Promise.objects.create(customer=c, description="Call about the trade-in", due_on=today)
    engine.plan_local_today(timezone.now())
    return {a.customer_id: a for a in Action.objects.filter(kind="promise")}


def test_pages_need_a_login(client, customer):
    for url in [reverse("today"), reverse("customers"), reverse("customer", args=[customer.pk])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_login_page_and_wrong_password(client, owner):
    response = client.post(reverse("login"), {"username": "olivia", "password": "nope"})
    assert (
        "didn&#x27;t match" in response.content.decode()
        or "didn't match" in response.content.decode()
    )
    response = client.post(reverse("login"), {"username": "olivia", "password": PASSWORD})
    assert response.status_code == 302


def test_today_lists_my_actions_only(client, owner, customer, planned):
    page = login(client, owner).get(reverse("today")).content.decode()
    assert "Keep the promise to Anna Smith: Call about the trade-in" in page
    assert "Carl Jones" not in page
    assert "Xena" not in page


def test_done_in_place_with_htmx(client, owner, customer, planned):
    action = planned[customer.pk]
    response = login(client, owner).post(reverse("action-done", args=[action.pk]), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith('<li class="action')
    assert f'id="action-{action.pk}"' in html
    assert "done" in html and "Undo" in html
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    # A second click (another tab) changes nothing and says why.
    again = client.post(reverse("action-done", args=[action.pk]), **HTMX).content.decode()
    assert "already done" in again
    # Undo brings it back.
    client.post(reverse("action-undo", args=[action.pk]), **HTMX)
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_done_without_javascript_redirects_with_a_message(client, owner, customer, planned):
    action = planned[customer.pk]
    response = login(client, owner).post(reverse("action-done", args=[action.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("today")
    assert "Done. Nice work." in response.content.decode()


def test_skip_and_snooze(client, owner, customer, planned):
    action = planned[customer.pk]
    login(client, owner)
    today = owner.local_date(dt.datetime.now(dt.UTC))
    past = client.post(
        reverse("action-snooze", args=[action.pk]), {"until": today.isoformat()}, **HTMX
    ).content.decode()
    assert "Snooze until a day after today." in past
    bad = client.post(
        reverse("action-snooze", args=[action.pk]), {"until": "2026-02-30"}, **HTMX
    ).content.decode()
    assert "Pick a valid day" in bad
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN
    later = today + dt.timedelta(days=3)
    html = client.post(
        reverse("action-snooze", args=[action.pk]), {"until": later.isoformat()}, **HTMX
    ).content.decode()
    assert "snoozed until" in html
    action.refresh_from_db()
    assert (action.status, action.due_on) == (ActionStatus.SNOOZED, later)
    client.post(reverse("action-skip", args=[action.pk]), {"reason": "met at the show"}, **HTMX)
    action.refresh_from_db()
    assert (action.status, action.outcome) == (ActionStatus.SKIPPED, "met at the show")


def test_an_outsider_gets_404_for_others_actions_and_customers(client, outsider, customer, planned):
    action = planned[customer.pk]
    login(client, outsider)
    for name in ["action-done", "action-skip", "action-snooze", "action-undo"]:
        assert client.post(reverse(name, args=[action.pk]), **HTMX).status_code == 404
    assert client.get(reverse("customer", args=[customer.pk])).status_code == 404
    assert client.get(reverse("customer-edit", args=[customer.pk])).status_code == 404
    assert (
        client.post(reverse("customer-add-fact", args=[customer.pk]), {"text": "x"}).status_code
        == 404
    )
    promise = Promise.objects.create(customer=customer, description="Call", due_on=NOW.date())
    assert client.post(reverse("promise-met", args=[promise.pk])).status_code == 404
    listing = client.get(reverse("customers"), {"q": "Anna"}).content.decode()
    assert "Anna Smith" not in listing
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN
    assert not Fact.objects.exists()


def test_a_manager_sees_the_team_but_not_other_teams(
    client, manager, customer, colleague_customer, outsider_customer
):
    page = login(client, manager).get(reverse("customers")).content.decode()
    assert "Anna Smith" in page and "Carl Jones" in page
    assert "Xena" not in page
    assert client.get(reverse("customer", args=[colleague_customer.pk])).status_code == 200
    assert client.get(reverse("customer", args=[outsider_customer.pk])).status_code == 404


def test_search_by_name_email_and_phone_in_another_format(client, owner, customer):
    services.add_phone(customer, "(415) 555-2671", "US")
    services.add_email(customer, "anna@example.com")
    make_customer(owner, "Bob", "Stone")
    login(client, owner)
    for query in ["anna", "Smi", "anna@example", "+1 415-555-2671", "4155552671"]:
        html = client.get(reverse("customers"), {"q": query}, **HTMX).content.decode()
        assert "Anna Smith" in html, query
        assert "Bob Stone" not in html, query
        assert "<html" not in html  # only the fragment for htmx
    html = client.get(reverse("customers"), {"q": "nobody-like-this"}).content.decode()
    assert "No customers found" in html


def test_the_list_pages_without_counting_past_the_cap(client, owner, monkeypatch):
    """The list fetches a page and one row more, and counts at most COUNT_CAP + 1 rows."""
    from extramile.book import listing

    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    monkeypatch.setattr(listing, "COUNT_CAP", 3)
    for n in range(5):
        make_customer(owner, f"Cus{n}", "Paged")
    login(client, owner)
    first = client.get(reverse("customers")).content.decode()
    assert "More than 3 customers" in first
    assert "Page 1" in first and "page=2" in first and "Cus0 Paged" in first
    last = client.get(reverse("customers"), {"page": "3"}).content.decode()
    assert "Cus4 Paged" in last and "page=4" not in last and "page=2" in last
    past = client.get(reverse("customers"), {"page": "9"}).content.decode()
    assert "Cus0 Paged" in past  # past the end: the first page
    few = client.get(reverse("customers"), {"q": "cus1"}).content.decode()
    assert "1 customer matching" in few


def test_filters(client, owner, customer):
    make_customer(owner, "Pat", "Prospect", status="prospect")
    login(client, owner)
    html = client.get(reverse("customers"), {"status": "prospect"}).content.decode()
    assert "Pat Prospect" in html and "Anna Smith" not in html


def test_customer_page_shows_the_book(client, owner, customer):
    home = Household.objects.create(
        name="The Smith Family",
        street="1 Elm St",
        city="Dover",
        region="DE",
        postal_code="19901",
        country="US",
    )
    customer.household = home
    customer.save()
    spouse = make_customer(owner, "Ben", "Smith", household=home)
    mother = make_customer(owner, "Martha", "Smith")
    grandma = make_customer(owner, "Gran", "Smith")
    services.relate(spouse, "spouse", customer)
    services.relate(mother, "parent", customer)
    services.relate(grandma, "parent", mother)
    Fact.objects.create(
        customer=customer, text="Loves sailing", tags="interest, sailing", pinned=True
    )
    services.add_phone(customer, "415 555 2671", "US")
    Promise.objects.create(
        customer=customer, description="Send brochure", due_on=dt.date(2020, 1, 1)
    )
    html = login(client, owner).get(reverse("customer", args=[customer.pk])).content.decode()
    for text in [
        "The Smith Family",
        "Ben Smith",
        "Martha Smith",
        "grandparent",
        "3 generations served",
        "Loves sailing",
        "pinned",
        "tel:+14155552671",
        "Send brochure",
        "overdue",
        "1 Elm St",
        "Birthday · 23 November 1980",
    ]:
        assert text in html, text


def test_html_in_names_is_escaped(client, owner):
    evil = make_customer(owner, "<script>alert(1)</script>", "Smith")
    html = login(client, owner).get(reverse("customer", args=[evil.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    listing = client.get(reverse("customers")).content.decode()
    assert "<script>alert(1)" not in listing


def test_add_a_fact_and_a_promise_in_place(client, owner, customer):
    login(client, owner)
    html = client.post(
        reverse("customer-add-fact", args=[customer.pk]),
        {"text": "Daughter starts college", "category": "family", "tags": "College; family"},
        **HTMX,
    ).content.decode()
    assert "Daughter starts college" in html
    assert Fact.objects.get().tags == "college, family"
    html = client.post(
        reverse("customer-add-fact", args=[customer.pk]), {"text": "  "}, **HTMX
    ).content.decode()
    assert "This field is required" in html
    assert Fact.objects.count() == 1
    html = client.post(
        reverse("customer-add-promise", args=[customer.pk]),
        {"kind": "promise", "description": "Send the quote", "due_on": "2026-12-01"},
        **HTMX,
    ).content.decode()
    assert "Send the quote" in html
    promise = Promise.objects.get()
    client.post(reverse("promise-met", args=[promise.pk]), **HTMX)
    promise.refresh_from_db()
    assert promise.met_at is not None


def form_data(**extra):
    data = {"first_name": "Nina", "last_name": "New", "status": "customer", "country": "US"}
    data.update(extra)
    return data


def test_new_customer_form(client, owner):
    login(client, owner)
    response = client.post(
        reverse("customer-new"),
        form_data(
            email="Nina@Example.com",
            phone="(212) 555-0199".replace("555-0199", "736-0199"),
            birth_month="2",
            birth_day="29",
        ),
    )
    assert response.status_code == 302
    nina = Customer.objects.get(first_name="Nina")
    assert nina.owner == owner
    assert nina.emails.get().address == "Nina@example.com"
    assert nina.phones.get().number == "+12127360199"
    assert (nina.birth_month, nina.birth_day) == (2, 29)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"birth_month": "2", "birth_day": "30"}, "February has no day 30."),
        (
            {"birth_month": "2", "birth_day": "29", "birth_year": "1987"},
            "February 1987 has no day 29.",
        ),
        ({"email": "not-an-email"}, "is not a valid e-mail address"),
        ({"phone": "12"}, "is not a valid phone number"),
        ({"first_name": "", "last_name": ""}, "Give a first name, a last name or a company name."),
        ({"time_zone": "Mars/Base"}, "is not a time zone"),
        ({"birth_month": "0", "birth_day": "12"}, "Choose a month from January to December."),
        ({"birth_month": "13", "birth_day": "12"}, "Choose a month from January to December."),
        ({"birth_month": "3", "birth_day": "0"}, "A day of the month is 1 to 31."),
    ],
)
def test_form_errors_are_clear_and_save_nothing(client, owner, extra, message):
    response = login(client, owner).post(reverse("customer-new"), form_data(**extra))
    assert response.status_code == 200
    page = (
        response.content.decode()
        .replace("&#x27;", "'")
        .replace("&quot;", '"')
        .replace("&ldquo;", "“")
    )
    # Said once, by its field: never the database's constraint text.
    assert page.count(message) == 1
    assert "Constraint" not in page
    assert not Customer.objects.exists()


def test_a_rep_cannot_give_a_customer_to_someone_else(client, owner, colleague):
    login(client, owner)
    client.post(reverse("customer-new"), form_data(owner=str(colleague.pk)))
    assert Customer.objects.get().owner == owner


def test_a_manager_picks_an_owner_within_the_team(client, manager, colleague, outsider):
    login(client, manager)
    response = client.post(reverse("customer-new"), form_data(owner=str(outsider.pk)))
    assert "Select a valid choice" in response.content.decode()
    assert not Customer.objects.exists()
    client.post(reverse("customer-new"), form_data(owner=str(colleague.pk)))
    assert Customer.objects.get().owner == colleague


def test_password_reset_by_email(client, owner, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": owner.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [owner.email]
    assert mail.subject == "Choose a new ExtraMile password"
    link = re.search(r"https?://[^/]+(/password-reset/\S+/)", mail.body).group(1)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a brand new secret 42", "new_password2": "a brand new secret 42"},
    )
    assert response.status_code == 302
    assert client.login(username=owner.username, password="a brand new secret 42")


def test_password_reset_for_an_unknown_address_sends_nothing(client, owner, mailoutbox):
    client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert mailoutbox == []


def test_admin_link_only_for_admins(client, owner, admin_user):
    assert "/admin/" not in login(client, owner).get(reverse("today")).content.decode()
    client.logout()
    assert "/admin/" in login(client, admin_user).get(reverse("today")).content.decode()


def test_bad_dates_in_the_small_forms_get_a_message_without_javascript(client, owner, customer):
    login(client, owner)
    response = client.post(
        reverse("customer-add-fact", args=[customer.pk]),
        {"text": "Went to Rome", "category": "other", "learned_on": "2026-02-30"},
        follow=True,
    )
    assert "The fact was not saved: Enter a valid date." in response.content.decode()
    response = client.post(
        reverse("customer-add-promise", args=[customer.pk]),
        {"kind": "promise", "description": "Call", "due_on": "2026-02-30"},
        follow=True,
    )
    assert "The promise was not saved: Enter a valid date." in response.content.decode()
    assert not Fact.objects.exists()
    assert not Promise.objects.exists()


def test_a_long_agenda_shows_the_most_important_first_and_offers_the_rest(client, owner):
    from django.utils import timezone

    from extramile.agenda.models import Action

    day = owner.local_date(timezone.now())
    Action.objects.bulk_create(
        Action(
            key=f"test:{n}",
            kind="reach_out",
            owner=owner,
            title=f"Item {n:03d}",
            due_on=day,
            priority=50,
            created_at=timezone.now(),
            updated_at=timezone.now(),
        )
        for n in range(130)
    )
    page = login(client, owner).get(reverse("today")).content.decode()
    # They are all in "the rest", which shows its first five and offers the others.
    assert page.count('class="action ') == 5
    assert "Item 000" in page and "Item 004" in page and "Item 005" not in page
    assert "<strong>130</strong> to do" in page
    assert "125 more, less urgent" in page
    assert 'href="?section=rest#rest"' in page
    section = client.get(reverse("today"), {"section": "rest"}).content.decode()
    assert section.count('class="action ') == 130
    everything = client.get(reverse("today"), {"all": "1"}).content.decode()
    assert everything.count('class="action ') == 130


def test_three_generations_show_from_the_youngest_too(client, owner):
    kid = make_customer(owner, "Kit", "Young")
    parent = make_customer(owner, "Pat", "Young")
    elder = make_customer(owner, "Eda", "Young")
    services.relate(parent, "parent", kid)
    services.relate(elder, "parent", parent)
    html = login(client, owner).get(reverse("customer", args=[kid.pk])).content.decode()
    assert "3 generations served" in html


def test_no_template_comment_leaks_onto_a_page():
    """Django's {# #} comments are one line only: a multi-line one prints as text."""
    import re
    from pathlib import Path

    import extramile

    root = Path(extramile.__file__).parent
    leaks = [
        str(path.relative_to(root))
        for path in root.rglob("templates/**/*.html")
        if any("\n" in m for m in re.findall(r"\{#(.*?)#\}", path.read_text(), re.S))
    ]
    assert leaks == []
