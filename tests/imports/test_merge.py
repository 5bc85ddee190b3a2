"""Duplicates: matched by e-mail, phone, or name and postal code within the owner's book, merged
field by field; a second import of the same file changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extramile.book.models import Customer, EmailAddress, Fact, KeyDate, PhoneNumber
from extramile.imports.merge import Person, State, merge, new_state
from extramile.imports.validate import SCALARS, Contact
from tests.conftest import make_customer
from tests.imports.helpers import emails, facts, phones, run, write

pytestmark = pytest.mark.django_db

FILE = (
    "first_name,last_name,company,email,phone,street,city,postal_code,birthday,anniversary,notes\n"
    "Anna,Smith,Harbour Sailing,ANNA@example.com,(415) 555-2671,,,,1980-04-15,2005-06-18,Two kids\n"
    "Robert,Jones,,,202-456-1111,,,,,,\n"
    "cara,DIAZ,,cara@diaz.example,,9 Mill Rd,Springfield,627 02,,,\n"
    "Dev,Patel,,dev@example.com,,,,,,,\n"
    "Dev,Patel,Patel Motors,DEV@EXAMPLE.COM,+1 312 555 0100,,,,1990-01-01,,\n"
)


@pytest.fixture
def existing(owner):
    anna = make_customer(owner, "Anna", "Smith", birth_month=4, birth_day=15, city="Springfield")
    EmailAddress.objects.create(customer=anna, address="anna@example.com", is_primary=True)
    bob = make_customer(owner, "Bob", "Jones")
    PhoneNumber.objects.create(customer=bob, number="+12024561111", is_primary=True)
    cara = make_customer(owner, "Cara", "Diaz", postal_code="62702", street="")
    stamp = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    Customer.objects.update(updated_at=stamp)
    return anna, bob, cara, stamp


def test_merge_preview_then_import(tmp_path, owner, existing):
    anna, bob, cara, stamp = existing
    path = write(tmp_path, "book.csv", FILE)
    preview = run(path, owner, dry_run=True)
    assert (preview.new, preview.merged, preview.duplicates, preview.unchanged) == (1, 2, 1, 1)
    notes = {(n.number, n.customer_id): n.changes for n in preview.merges}
    assert notes[(2, anna.pk)] == [
        "company filled in: Harbour Sailing",
        "birthday filled in: 15 April 1980",
        "wedding anniversary added: 18 June 2005",
        "phone added: +14155552671",
        "fact added: Two kids",
    ]
    # Bob is matched by his phone; his first name differs and is kept, not overwritten.
    assert notes[(3, bob.pk)] == ["first name: kept “Bob”, the file has “Robert”"]
    # Cara by name and postal code (case and spacing do not matter); her street is filled.
    assert notes[(4, cara.pk)] == [
        "street filled in: 9 Mill Rd",
        "city filled in: Springfield",
        "e-mail added: cara@diaz.example",
    ]
    [(_, dev_note)] = [(k, v) for k, v in notes.items() if k[0] == 6]
    assert "company filled in: Patel Motors" in dev_note
    assert preview.conflicts == 1
    # The preview wrote nothing.
    assert Customer.objects.count() == 3 and Customer.objects.filter(updated_at=stamp).count() == 3

    report = run(path, owner)
    assert (report.new, report.merged, report.duplicates, report.unchanged) == (1, 2, 1, 1)
    anna.refresh_from_db()
    bob.refresh_from_db()
    cara.refresh_from_db()
    assert (anna.company_name, anna.birth_year) == ("Harbour Sailing", 1980)
    assert anna.city == "Springfield"  # filled fields stay
    assert emails(anna) == ["anna@example.com"]  # same address, other case: not added twice
    assert phones(anna) == ["+14155552671"]
    assert facts(anna) == ["Two kids"]
    assert bob.first_name == "Bob" and bob.updated_at == stamp  # only a conflict: untouched
    assert (cara.street, cara.first_name, cara.last_name) == ("9 Mill Rd", "Cara", "Diaz")
    dev = Customer.objects.get(first_name="Dev")
    assert (dev.company_name, dev.birth_year) == ("Patel Motors", 1990)
    assert emails(dev) == ["dev@example.com"] and phones(dev) == ["+13125550100"]
    assert Customer.objects.count() == 4


def test_importing_the_same_file_twice_changes_nothing(tmp_path, owner, existing):
    path = write(tmp_path, "book.csv", FILE)
    run(path, owner)
    Customer.objects.update(updated_at=dt.datetime(2026, 2, 2, tzinfo=dt.UTC))
    counts = [
        model.objects.count() for model in (Customer, EmailAddress, PhoneNumber, Fact, KeyDate)
    ]
    again = run(path, owner)
    assert (again.new, again.merged, again.duplicates) == (0, 0, 0)
    assert again.unchanged == 5
    assert [
        model.objects.count() for model in (Customer, EmailAddress, PhoneNumber, Fact, KeyDate)
    ] == counts
    assert set(Customer.objects.values_list("updated_at", flat=True)) == {
        dt.datetime(2026, 2, 2, tzinfo=dt.UTC)
    }


def test_duplicate_rows_inside_one_file_make_one_customer(tmp_path, owner):
    text = (
        "first_name,last_name,email,phone,notes\n"
        "Anna,Smith,anna@example.com,,First note\n"
        "Anna,Smith,,(415) 555-2671,\n"
        "A.,Smith,anna@example.com,(415) 555-2671,Second note\n"
    )
    # Rows 2 and 4 share an e-mail; row 3 shares nothing with row 2 (no e-mail, no postal code)
    # but row 4 has its phone; with a batch of 2, row 4 finds row 2 in the database.
    report = run(write(tmp_path, "dups.csv", text), owner, batch_size=2)
    assert report.new == 2 and report.duplicates == 1
    anna = Customer.objects.get(emails__address="anna@example.com")
    assert facts(anna) == ["First note", "Second note"]
    assert [str(n.changes[0]) for n in report.merges if n.number == 4] == [
        "first name: kept “Anna”, the file has “A.”"
    ]


def test_only_the_owners_book_is_matched(tmp_path, owner, colleague, outsider):
    theirs = make_customer(colleague, "Anna", "Smith")
    EmailAddress.objects.create(customer=theirs, address="anna@example.com")
    report = run(
        write(tmp_path, "a.csv", "first_name,last_name,email\nAnna,Smith,anna@example.com\n"), owner
    )
    assert report.new == 1 and report.merged == 0
    assert Customer.objects.filter(owner=owner).count() == 1
    assert Customer.objects.get(pk=theirs.pk).updated_at == theirs.updated_at


def _fields(state):
    return (
        state.customer.pk,
        state.customer.values(),
        state.emails,
        state.phones,
        state.facts,
        state.weddings,
        state.new_emails,
        state.new_phones,
        state.new_facts,
        state.new_dates,
    )


_words = st.text(alphabet="abAB é-", max_size=4)
_day = st.tuples(st.integers(1, 12), st.integers(1, 28), st.none() | st.integers(1900, 2020))


@given(
    names=st.lists(_words, min_size=9, max_size=9),
    birthday=st.none() | _day,
    anniversary=st.none() | _day,
    emails=st.lists(st.sampled_from(["a@x.org", "B@x.org", "c@y.org"]), unique=True),
    phones=st.lists(st.sampled_from(["+12025550143", "+4930123456"]), unique=True),
    facts=st.lists(st.tuples(st.sampled_from(["likes tea", "two kids"]), _words)),
)
def test_a_new_customer_is_what_merging_into_an_empty_one_gives(
    names, birthday, anniversary, emails, phones, facts
):
    # new_state is merge's shortcut for the import's usual case: it must build the same state.
    contact = Contact(
        **dict(zip(SCALARS, names, strict=True)),
        birthday=birthday,
        anniversary=anniversary,
        emails=[(address, "work") for address in emails],
        phones=[(number, "") for number in phones],
        facts=facts,
    )
    merged = State(customer=Person())
    merge(merged, contact)
    assert _fields(new_state(contact)) == _fields(merged)
