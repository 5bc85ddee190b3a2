"""Duplicates: matched by e-mail, phone, or name and postal code within the owner's book, merged
field by field; a second import of the same file changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
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


# Rows that a batch matches differently from one row at a time if anything is off: two rows
# finding the same existing customer (by e-mail, then by phone), rows finding a customer created
# earlier in the same batch (by e-mail, phone, name and postal code written differently, company),
# names in other cases, and existing customers whose postal codes have a non-breaking space, a
# tab or an accented letter (the name look-up's OTHER_POSTAL).
BATCHED = (
    "first_name,last_name,company,email,phone,street,city,postal_code,notes\n"
    "Anna,Smith,,anna@example.com,,,,,first\n"
    "Anna,Smith,Sail Co,ANNA@EXAMPLE.COM,(415) 555-2671,,,,second\n"
    "A.,Smith,,,415.555.2671,1 Bay Rd,,,third\n"
    "Robert,Jones,,,202-456-1111,,,,\n"
    "Rob,Jones,,rob@jones.example,(202) 456-1111,,,,\n"
    "Nia,Park,,nia@park.example,,,Springfield,627 01,\n"
    "nia,park,,,,5 Oak Ave,,62701,\n"
    "NIA,PARK,,,,,,6 2 7 0 1,a note\n"
    "Nia,Park,,,,,,62702,\n"
    "cara,diaz,,,,9 Mill Rd,,sw1a 1aa,\n"
    "Eli,Ñuñez,,,,,,ab 12,\n"
    "Tom,Fox,,,,,Shelbyville,ab\t1,\n"
    ",,Harbour Sailing,,,,,n1 9gu,\n"
    ",,HARBOUR SAILING,,,2 Dock St,,N19GU,\n"
    ",,Harbour Sailing,,,,,N1 9GV,\n"
    "Lone,Name,,,,,,,\n"
    "lone,name,,,,,,,\n"
    "Pia,Moss,,pia@moss.example,(312) 555-0100,,,,\n"
    "P.,Moss,,PIA@moss.example,,,,,\n"
    "Pia,Moss,,,312-555-0100,3 Elm Ct,,,\n"
)


def _book(owner):
    return sorted(
        (
            c.first_name,
            c.last_name,
            c.company_name,
            c.street,
            c.city,
            c.postal_code,
            tuple(emails(c)),
            tuple(phones(c)),
            tuple(facts(c)),
        )
        for c in Customer.objects.filter(owner=owner).prefetch_related("emails", "phones", "facts")
    )


def _existing(owner):
    anna = make_customer(owner, "Anna", "Smith")
    EmailAddress.objects.create(customer=anna, address="anna@example.com", is_primary=True)
    bob = make_customer(owner, "Bob", "Jones")
    PhoneNumber.objects.create(customer=bob, number="+12024561111", is_primary=True)
    make_customer(owner, "Cara", "Diaz", postal_code="SW1A 1AA")
    make_customer(owner, "Eli", "Ñuñez", postal_code="AB\u00a012")  # a non-breaking space
    make_customer(owner, "Tom", "Fox", postal_code="AB\u00a01")
    make_customer(owner, "", "", company_name="Harbour Sailing", postal_code="n1\t9gu")


@pytest.mark.parametrize("parallel", [False, True])
def test_a_batch_matches_and_merges_as_one_row_at_a_time(tmp_path, owner, colleague, parallel):
    """The batched look-ups and writes give what importing the rows one at a time gives: the
    same books, the same counts and the same changes reported for every row."""
    _existing(owner)
    _existing(colleague)
    path = write(tmp_path, "batched.csv", BATCHED)
    one_by_one = run(path, owner, batch_size=1, parallel=False)
    batched = run(path, colleague, batch_size=500, parallel=parallel)
    assert _book(owner) == _book(colleague)
    assert one_by_one.summary() == batched.summary()
    assert [(n.number, n.duplicate, n.changes) for n in one_by_one.merges] == [
        (n.number, n.duplicate, n.changes) for n in batched.merges
    ]
    # What the rows were matched to, spelled out once.
    assert (batched.new, batched.merged, batched.unchanged, batched.duplicates) == (5, 7, 3, 5)
    people = {(c[0], c[1], c[2], c[5]): c for c in _book(colleague)}
    assert len(people) == 6 + 5
    assert people[("Anna", "Smith", "Sail Co", "")][3:] == (
        "1 Bay Rd",
        "",
        "",
        ("anna@example.com",),
        ("+14155552671",),
        ("first", "second", "third"),
    )
    assert people[("Bob", "Jones", "", "")][6:8] == (("rob@jones.example",), ("+12024561111",))
    assert people[("Nia", "Park", "", "627 01")][3:] == (
        "5 Oak Ave",
        "Springfield",
        "627 01",
        ("nia@park.example",),
        (),
        ("a note",),
    )
    assert ("Nia", "Park", "", "62702") in people  # another postal code: someone else
    assert people[("Cara", "Diaz", "", "SW1A 1AA")][3] == "9 Mill Rd"
    assert ("Eli", "Ñuñez", "", "AB\u00a012") in people  # through OTHER_POSTAL
    assert people[("Tom", "Fox", "", "AB\u00a01")][4] == "Shelbyville"
    assert people[("", "", "Harbour Sailing", "n1\t9gu")][3] == "2 Dock St"
    assert ("", "", "Harbour Sailing", "N1 9GV") in people
    assert people[("Pia", "Moss", "", "")][3:] == (
        "3 Elm Ct",
        "",
        "",
        ("pia@moss.example",),
        ("+13125550100",),
        (),
    )


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
@settings(deadline=None)  # a shared machine under load takes longer than 200 ms now and then
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


def test_the_name_look_ups_seek_on_the_postal_key(owner):
    """Both name look-ups are seeks on all four columns of customer_owner_name_postal (book
    0009) on both engines: the query's postal key is the index's expression, character for
    character (``merge.POSTAL_SQL``), so a common name does not read every customer of it."""
    from django.db import connection
    from django.utils import timezone

    from extramile.imports import writing
    from extramile.imports.merge import companies_query, names_query

    rows = [(owner.pk, f"F{n % 50}", f"L{n % 40}", "", f"{n % 900:05d}") for n in range(4000)]
    rows += [(owner.pk, "", "", f"Company {n}", f"{n % 90:05d}") for n in range(200)]
    names = ["owner_id", "first_name", "last_name", "company_name", "postal_code"]
    writing.insert(Customer, names, rows, timezone.now())
    contacts = [
        Contact(first_name="F1", last_name="L1", postal_code="000 01"),
        Contact(company_name="Company 7", postal_code="00007"),
    ]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        for query in (names_query(owner.pk, contacts), companies_query(owner.pk, contacts)):
            assert query is not None
            sql, params = query
            if connection.vendor == "postgresql":
                cursor.execute("EXPLAIN " + sql, params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                assert "customer_owner_name_postal" in plan, plan
                assert "CASE WHEN" in plan.split("Index Cond:")[1].split("\n")[0], plan
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
                plan = "\n".join(row[3] for row in cursor.fetchall())
                assert "customer_owner_name_postal (owner_id=? AND last_name=? AND " in plan, plan
                assert "first_name=? AND <expr>=?)" in plan, plan
        cursor.execute(*names_query(owner.pk, contacts))  # type: ignore[misc]
        assert {row[:2] for row in cursor.fetchall()} == {("F1", "L1")}
