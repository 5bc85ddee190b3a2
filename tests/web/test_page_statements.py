"""The pages a rep opens all day ask the database a fixed number of statements, however large the
book is: the customer list reads a page of narrow rows (no count past the cap, no query per row),
and the customer page asks in one statement which of its lists have rows (``book.presence``)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.db import connection
from django.urls import reverse

from extramile.book import presence, services
from extramile.book.models import Fact, Promise, Sale
from extramile.timeline.services import add_note
from tests.conftest import NOW, login, make_customer

pytestmark = pytest.mark.django_db


@contextmanager
def statements():
    """The statements run on the default connection meanwhile (transaction control left out)."""
    ran: list[str] = []

    def record(execute, sql, params, many, context):
        if not sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            ran.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield ran


def a_book(owner, n: int, start: int = 0) -> None:
    """``n`` customers of ``owner``, each with a phone and an e-mail address."""
    for number in range(start, start + n):
        person = make_customer(owner, f"Chad{number}", f"Chen{number}")
        services.add_phone(person, f"+1202555{number:04d}", "US")
        services.add_email(person, f"chad{number}@example.com")


def counted(client, url: str) -> tuple[int, str]:
    with statements() as ran:
        response = client.get(url)
    assert response.status_code == 200
    return len(ran), response.content.decode()


def test_the_list_and_the_search_do_not_grow_with_the_book(client, owner, colleague):
    a_book(owner, 3)
    a_book(colleague, 3, start=100)
    login(client, owner)
    urls = [reverse("customers"), reverse("customers") + "?q=chad", reverse("customers") + "?q=ch"]
    before = [counted(client, url)[0] for url in urls]
    a_book(owner, 60, start=3)  # more than a page: a next page, and the count capped
    after = []
    for url in urls:
        n, page = counted(client, url)
        after.append(n)
        assert "chad3@example.com" in page and "+1 202-555-0003" in page  # e-mail, phone shown
        assert "chad100@example.com" not in page  # a colleague's customer: not in a rep's list
    # The count of a list longer than a page: one statement more, capped (no full COUNT).
    assert after == [n + 1 for n in before]
    assert max(after) <= 7


def test_the_list_counts_a_last_page_from_its_rows(client, owner, monkeypatch):
    from extramile.book import listing

    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    for n in range(5):
        make_customer(owner, f"Cus{n}", "Paged")
    login(client, owner)
    with statements() as ran:
        page = client.get(reverse("customers"), {"page": "3"}).content.decode()
    assert "5 customers" in page
    assert not any("COUNT(" in sql.upper() and "book_customer" in sql for sql in ran[:-1])


def test_search_finds_by_prefix_case_and_accent(client, owner):
    for first, last in [("José", "Núñez"), ("Anna", "O'Brien"), ("Zoë", "Smith-Jones")]:
        make_customer(owner, first, last)
    make_customer(owner, "Bob", "Stone")
    login(client, owner)
    for query, name in [
        ("jos", "José Núñez"),
        ("JOS", "José Núñez"),
        ("josé", "José Núñez"),
        ("núñ", "José Núñez"),
        ("josé núñez", "José Núñez"),
        ("o'b", "Anna O&#x27;Brien"),
        ("zoë", "Zoë Smith-Jones"),
        ("smith-j", "Zoë Smith-Jones"),
        ("ANNA", "Anna O&#x27;Brien"),
    ]:
        page = client.get(reverse("customers"), {"q": query}).content.decode()
        assert name in page, query
        assert "Bob Stone" not in page, query
    assert "No customers found" in client.get(reverse("customers"), {"q": "ose"}).content.decode()


def full_history(customer) -> None:
    today = NOW.date()
    Fact.objects.create(customer=customer, text="Loves sailing")
    Promise.objects.create(customer=customer, description="Send the brochure", due_on=today)
    Sale.objects.create(customer=customer, date=today, description="A new car", amount=100)
    add_note(customer, customer.owner, "Asked about the trade-in", NOW)
    services.add_phone(customer, "+12025550199", "US")


@pytest.mark.time_machine(NOW)
def test_the_customer_page_asks_only_for_lists_with_rows(client, owner, customer):
    login(client, owner)
    url = reverse("customer", args=[customer.pk])
    bare, _ = counted(client, url)
    full_history(customer)
    a_book(owner, 20)
    full, page = counted(client, url)
    for text in [
        "Loves sailing",
        "Send the brochure",
        "A new car",
        "Asked about the trade-in",
        "tel:+12025550199",
    ]:
        assert text in page, text
    # Each list with rows costs its own statement (phones, facts, promises, sales; the timeline's
    # notes, promises made and sales; no promise met yet); a list without rows costs none beyond
    # the one presence statement.
    assert full == bare + 7
    assert bare <= 10


def test_presence_asks_once_and_answers_per_check(owner, customer):
    other = make_customer(owner, "Ben", "Other")
    Fact.objects.create(customer=customer, text="Plays golf")
    checks = {
        "facts": (presence.Check(Fact, "customer"), customer.pk),
        "others_facts": (presence.Check(Fact, "customer"), other.pk),
        "pinned": (presence.Check(Fact, "customer", "pinned"), customer.pk),
        "nothing_asked": (presence.Check(Fact, "customer"), None),
    }
    with statements() as ran:
        found = presence.present(checks)
    assert found == {"facts": True, "others_facts": False, "pinned": False, "nothing_asked": False}
    assert len(ran) == 1


def test_a_customer_page_of_another_book_is_still_a_404(client, outsider, customer):
    full_history(customer)
    login(client, outsider)
    response = client.get(reverse("customer", args=[customer.pk]))
    assert response.status_code == 404
    assert "Loves sailing" not in response.content.decode()
    assert "Anna Smith" not in client.get(reverse("customers"), {"q": "anna"}).content.decode()


def test_todays_rows_link_where_the_urls_say(client, owner, customer):
    """Rows build their links from prefixes made once per page; they are the URLs ``reverse``
    gives."""
    from django.utils import timezone

    from extramile.agenda import engine

    Promise.objects.create(
        customer=customer, description="Call back", due_on=owner.local_date(timezone.now())
    )
    engine.plan_local_today(timezone.now())
    page = login(client, owner).get(reverse("today")).content.decode()
    assert "Call back" in page
    assert f'href="{reverse("customer", args=[customer.pk])}"' in page
    assert f'action="{reverse("customer-add-note", args=[customer.pk])}"' in page


def test_the_narrow_rows_serve_every_search_and_order(client, owner, manager, customer):
    """E-mail and phone searches (a join, made distinct) and the best-first order (by a related
    column) read the same narrow page; a manager's list names each row's owner."""
    services.add_email(customer, "anna@example.com")
    services.add_phone(customer, "(415) 555-2671", "US")
    make_customer(owner, "Bob", "Stone")
    login(client, owner)
    for query in ["anna@example", "4155552671", "+1 415-555-2671", "anna"]:
        for sort in ["", "value"]:
            page = client.get(
                reverse("customers"), {"q": query, "sort": sort, "status": "customer"}
            ).content.decode()
            assert "Anna Smith" in page and "Bob Stone" not in page, (query, sort)
            assert "anna@example.com" in page and "+1 415-555-2671" in page
    login(client, manager)
    page = client.get(reverse("customers"), {"q": "anna@example", "sort": "value"}).content
    assert "Anna Smith" in page.decode() and str(owner) in page.decode()
