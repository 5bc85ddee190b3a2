"""The numbers agree: one book, and every page that counts a part of it says which part.

The size of "your book" is ``book.services.book(user)``; Customers shows it, and Insights (customers
and former customers), the value ranking (customers) and the calls coverage (customers who take
calls) each say how many of it they count and what they leave out. This test builds a book with a
bit of everything and reads the same numbers off every page, for a rep, a manager and an admin."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from extramile.book.services import BOUGHT, CALLABLE, CUSTOMERS, book, book_size
from extramile.insights import analytics
from extramile.outreach.coverage import rotation_book
from extramile.value import scoring
from extramile.value.models import ValueScore
from tests.conftest import NOW, PASSWORD, make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(owner, colleague, outsider):
    """Olivia: 3 customers (1 do-not-call), 2 former, 4 prospects; Colin: 2 customers, 1
    prospect; Oscar (another team): 5 customers."""
    for n in range(3):
        make_customer(owner, "Cus", f"Tomer{n}", do_not_call=n == 0)
    for n in range(2):
        make_customer(owner, "For", f"Mer{n}", status="former")
    for n in range(4):
        make_customer(owner, "Pro", f"Spect{n}", status="prospect")
    for n in range(2):
        make_customer(colleague, "Col", f"Cust{n}")
    make_customer(colleague, "Col", "Prospect", status="prospect")
    for n in range(5):
        make_customer(outsider, "Out", f"Sider{n}")
    scoring.recompute(owner.local_date(NOW), NOW)


def get(client, user, name: str) -> str:
    assert client.login(username=user.username, password=PASSWORD)
    page = client.get(reverse(name)).content.decode()
    client.logout()
    return html.unescape(page)


def numbers(note: str) -> tuple[int, int]:
    found = re.search(r"([\d,]+) of the ([\d,]+) in ", note)
    assert found, note
    return int(found.group(1)), int(found.group(2))


@pytest.mark.parametrize(
    "who, total, bought, customers, callable_",
    [("owner", 9, 5, 3, 2), ("manager", 12, 7, 5, 4), ("admin_user", 17, 12, 10, 9)],
)
def test_every_page_counts_the_same_book(
    request, client, books, who, total, bought, customers, callable_
):
    user = request.getfixturevalue(who)
    size = book_size(user)
    assert (size.total, size.part(BOUGHT), size.part(CUSTOMERS), size.part(CALLABLE)) == (
        total,
        bought,
        customers,
        callable_,
    )
    # The parts are the queries the pages count.
    assert book(user).count() == total
    assert analytics.book(user).count() == bought
    owners = list(book(user).values_list("owner_id", flat=True).distinct())
    assert ValueScore.objects.filter(customer__in=book(user)).count() == customers
    assert rotation_book(owners).count() == callable_

    listing = get(client, user, "customers")
    assert f"{total} customers" in listing  # the list's own count, nothing filtered
    assert f"{total} in {size.words}" in listing

    insights = get(client, user, "insights")
    assert numbers(insights[insights.index("book-note") :]) == (bought, total)
    assert f"{bought} customers and former customers counted" in insights

    lunches = get(client, user, "lunches")
    assert numbers(lunches[lunches.index("book-note") :]) == (customers, total)

    calls = get(client, user, "calls")
    if who == "owner":  # a rep's own coverage
        note = calls[calls.index("book-note") :]
        assert numbers(note) == (callable_, total)
        assert "do-not-call customer left out" in note
        assert f'<th colspan="2">All</th><th class="num">{callable_}</th>' in calls


def test_the_note_names_what_it_leaves_out(owner, books):
    size = book_size(owner)
    assert size.words == "your book"
    assert size.note(BOUGHT) == (
        "5 of the 9 in your book: customers and former customers (4 prospects left out)."
    )
    assert size.note(CALLABLE) == (
        "2 of the 9 in your book: customers who take calls "
        "(4 prospects, 2 former customers and 1 do-not-call customer left out)."
    )
