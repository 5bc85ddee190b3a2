"""`extramile sale`: record a sale from the command line; prints the note's due date."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from extramile.book.models import Sale
from extramile.cards.models import Card
from tests.conftest import make_customer

pytestmark = pytest.mark.django_db

ADDRESS = {"street": "12 Elm Street", "city": "Springfield", "region": "IL", "postal_code": "62704"}


def call(*args: str) -> str:
    out = io.StringIO()
    call_command("sale", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def anna(owner):
    return make_customer(owner, "Anna", "Smith", **ADDRESS)


def test_records_the_sale_and_prints_the_notes_due_date(anna, owner):
    out = call("--customer", str(anna.pk), "--description", "A green sofa", "--amount", "1249.5")
    sale = Sale.objects.get()
    card = Card.objects.get()
    assert (sale.sold_by, str(sale.amount), sale.date) == (
        owner,
        "1249.50",
        owner.local_date(timezone.now()),
    )
    assert (
        f"Recorded sale {sale.pk}: Anna Smith (customer {anna.pk}), A green sofa, 1,249.50" in out
    )
    assert f"A thank-you note to Anna Smith is due {card.mail_by:%a %d %b %Y}" in out


def test_an_old_sale_says_why_there_is_no_note(anna):
    out = call(
        "--customer",
        str(anna.pk),
        "--description",
        "A lamp",
        "--amount",
        "80",
        "--date",
        "2020-03-01",
    )
    assert "No thank-you note: the sale is more than 14 days old" in out
    assert Sale.objects.count() == 1 and not Card.objects.exists()


def test_the_seller_must_see_the_customer(anna, owner, manager, outsider):
    out = call(
        "--customer", str(anna.pk), "--description", "A rug", "--amount", "300", "--user", "maya"
    )
    assert "Recorded sale" in out and Sale.objects.get().sold_by == manager
    assert Card.objects.get().owner == owner  # the relationship's rep writes the note
    with pytest.raises(CommandError, match=f"There is no customer {anna.pk} that oscar can see"):
        call(
            "--customer",
            str(anna.pk),
            "--description",
            "A rug",
            "--amount",
            "300",
            "--user",
            "oscar",
        )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--amount", "12,50"], "--amount: Write the amount as a number"),
        (["--amount", "-1"], "--amount: An amount can't be negative"),
        (["--date", "tomorrow"], "--date: Write the date as YYYY-MM-DD"),
        (["--date", "2999-01-01"], "--date: A sale can't be dated in the future"),
        (["--customer", "abc"], "--customer: 'abc' is not a customer id"),
        (["--customer", "999999"], "There is no customer 999999."),
    ],
)
def test_bad_input_is_one_clear_line(anna, args, message):
    base = {"--customer": str(anna.pk), "--description": "A sofa", "--amount": "10"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    with pytest.raises(CommandError) as error:
        call(*[part for pair in base.items() for part in pair])
    assert str(error.value).startswith(message) and "\n" not in str(error.value)
    assert error.value.returncode == 2
    assert not Sale.objects.exists()
