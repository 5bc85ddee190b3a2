"""Several print files at once (``output.render_all``, used by ``extramile cards``): each is the
same file ``output.render`` makes alone, and one that cannot be made does not stop the others."""

from __future__ import annotations

import datetime as dt

from extramile.accounts.models import Company
from extramile.cards import output
from extramile.cards.models import Card, CardStatus, Occasion
from extramile.cards.planning import plan_cards
from tests.conftest import NOW, make_customer

ADDRESS = {"street": "42 Elm Street", "city": "Springfield", "region": "IL",
           "postal_code": "62704", "country": "US"}  # fmt: skip


def test_files_made_together_are_the_files_made_alone(owner):
    for n, first in enumerate(["Anna", "Ben", "Chloe"]):
        make_customer(owner, first, "Smith", birth_month=12, birth_day=10 + n, **ADDRESS)
    plan_cards(dt.date(2026, 11, 23), dt.date(2026, 12, 9), NOW,
               occasions=Occasion.objects.filter(code="birthday"))  # fmt: skip
    Card.objects.update(status=CardStatus.WRITTEN, message="Dear you,\n\nThe sailing, at last!")
    company = Company.get()
    batch = output.build(Card.objects.all(), company)
    assert len(batch.items) == 3
    kinds = ["labels", "cards", "csv", "envelopes"]
    together = output.render_all(kinds, batch, company, output.Options())
    assert [printed.kind for printed in together] == kinds
    for printed in together:
        assert printed.error is None and printed.warnings == []
        assert printed.data == output.render(printed.kind, batch, company, output.Options())


def test_a_file_that_cannot_be_made_carries_its_error_and_the_others_print(owner):
    make_customer(owner, "Anna", "Smith", birth_month=12, birth_day=10, **ADDRESS)
    plan_cards(dt.date(2026, 11, 23), dt.date(2026, 12, 9), NOW,
               occasions=Occasion.objects.filter(code="birthday"))  # fmt: skip
    Card.objects.update(status=CardStatus.WRITTEN, handwritten=True)
    company = Company.get()
    batch = output.build(Card.objects.all(), company)
    cards, labels = output.render_all(["cards", "labels"], batch, company, output.Options())
    assert cards.error is not None and "handwritten" in str(cards.error) and cards.data == b""
    assert labels.error is None and labels.data.startswith(b"%PDF")


def queries_to_build(cards) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        batch = output.build(cards, Company.get())
    assert batch.items
    return len(queries)


def test_loading_a_batch_reads_no_row_per_card(owner):
    """Whatever the batch's size, its cards load in the same few queries: a field that printing
    reads but ``output.PRINT_FIELDS`` leaves out would add one per card."""
    from extramile.book.models import Household

    home = Household.objects.create(name="The Bauer Family", **ADDRESS)
    for n in range(6):
        make_customer(owner, f"P{n}", "Bauer", birth_month=12, birth_day=10 + n,
                      household=home if n < 2 else None, **ADDRESS)  # fmt: skip
    plan_cards(dt.date(2026, 11, 23), dt.date(2026, 12, 31), NOW,
               occasions=Occasion.objects.filter(code__in=["birthday", "christmas"]))  # fmt: skip
    Card.objects.update(status=CardStatus.WRITTEN, message="Dear you,\n\nThe sailing, at last!")
    few = Card.objects.filter(pk__in=Card.objects.order_by("id").values("id")[:2])
    assert Card.objects.count() > 6
    output.build(few, Company.get())  # the company's card branding row is made on first use
    assert queries_to_build(Card.objects.all()) == queries_to_build(few)
