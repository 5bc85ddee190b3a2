"""CSV files as programs and people write them: delimiters, encodings, quirks, known headers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from extramile.book.models import KeyDateKind
from extramile.exports import csvfile
from extramile.imports import services
from tests.imports.helpers import book, emails, facts, phones, run, write

pytestmark = pytest.mark.django_db

PLAIN = (
    "first_name,last_name,email,phone,street,city,postal_code,birthday\n"
    "Anna,Smith,anna@example.com,(202) 555-0143,1 Main St,Springfield,62701,1980-04-15\n"
    "Bob,Jones,bob@example.com,202-456-1111,2 Oak Ave,Shelbyville,62565,--02-29\n"
)


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [
        (",", "utf-8"),
        (";", "utf-8-sig"),  # a BOM, as Excel writes "CSV UTF-8"
        ("\t", "utf-16"),  # Excel's "Unicode text": UTF-16 with a BOM, tabs
        ("|", "cp1252"),
        (";", "latin-1"),
    ],
)
def test_delimiters_and_encodings(tmp_path, owner, delimiter, encoding):
    text = PLAIN.replace(",", delimiter).replace("Smith", "Smith-Müller")
    path = write(tmp_path, "people.csv", text, encoding)
    report = run(path, owner)
    assert (report.new, report.invalid, report.written) == (2, 0, True)
    anna, bob = book(owner)
    assert (anna.first_name, anna.last_name) == ("Anna", "Smith-Müller")
    assert emails(anna) == ["anna@example.com"] and phones(anna) == ["+12025550143"]
    assert (anna.birth_month, anna.birth_day, anna.birth_year) == (4, 15, 1980)
    assert (bob.birth_month, bob.birth_day, bob.birth_year) == (2, 29, None)
    assert (anna.street, anna.city, anna.postal_code) == ("1 Main St", "Springfield", "62701")


def test_quoted_newlines_empty_rows_and_row_numbers(tmp_path, owner):
    text = (
        "first_name,last_name,notes,birthday\r\n"
        '"Anna","Smith","Two kids,\r\nloves sailing",\r\n'
        ",,,\r\n"
        "\r\n"
        "Cara,Diaz,,1990-02-30\r\n"
    )
    report = run(write(tmp_path, "quirks.csv", text), owner, skip_invalid=True)
    assert (report.rows, report.new, report.invalid) == (2, 1, 1)
    # Row numbers as a spreadsheet shows them: the header is row 1, empty rows count.
    [problem] = report.problems
    assert (problem.unit, problem.number, problem.field) == ("row", 5, "birthday")
    assert "February 1990 has no day 30" in problem.message
    [anna] = book(owner)
    assert facts(anna) == ["Two kids,\r\nloves sailing"]


def test_a_30_february_without_a_year_is_a_problem_and_29_february_is_not(tmp_path, owner):
    text = "first_name,last_name,birthday\nA,One,--02-30\nB,Two,--0229\nC,Three,31/04/1990\n"
    report = run(write(tmp_path, "dates.csv", text), owner, dry_run=True)
    assert [(p.number, p.field) for p in report.problems] == [(2, "birthday"), (4, "birthday")]
    assert report.problems[1].message == "April 1990 has no day 31."
    assert report.new == 1 and not report.written


GOOGLE = (
    "First Name,Middle Name,Last Name,Phonetic First Name,Nickname,File As,Organization Name,"
    "Organization Title,Birthday,Notes,Photo,Labels,E-mail 1 - Label,E-mail 1 - Value,"
    "E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,"
    "Phone 2 - Value,Address 1 - Label,Address 1 - Formatted,Address 1 - Street,Address 1 - City,"
    "Address 1 - PO Box,Address 1 - Region,Address 1 - Postal Code,Address 1 - Country,"
    "Address 1 - Extended Address,Event 1 - Label,Event 1 - Value\n"
    "Anna,Maria,Smith,,Annie,,Harbour Sailing,Owner,--04-15,Met at the boat show,"
    "https://lh3.googleusercontent.com/x,* myContacts ::: Sailing club,* Home,anna@example.com,"
    "Work,anna@harbour.example,Mobile,+1 202-555-0143 ::: +1 415-555-2671,,,Home,"
    '"1 Main St\nSpringfield",1 Main St,Springfield,,IL,62701,United States,,Anniversary,'
    "2005-06-18\n"
)

GOOGLE_OLD = (
    "Name,Given Name,Additional Name,Family Name,Yomi Name,Nickname,Birthday,Gender,Notes,Photo,"
    "Group Membership,E-mail 1 - Type,E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value,"
    "Address 1 - Type,Address 1 - Street,Address 1 - City,Address 1 - Region,"
    "Address 1 - Postal Code,Address 1 - Country,Organization 1 - Type,Organization 1 - Name,"
    "Event 1 - Type,Event 1 - Value\n"
    "Bob Jones,Bob,,Jones,,,1975-11-02,,,,* myContacts,* Home,bob@example.com,Mobile,"
    "(202) 456-1111,Home,2 Oak Ave,Shelbyville,IL,62565,US,,Jones & Sons,Anniversary,--09-01\n"
)


def test_google_contacts_exports_need_no_mapping(tmp_path, owner):
    report = run(write(tmp_path, "contacts.csv", GOOGLE), owner)
    assert report.format_name == "Google Contacts" and report.new == 1
    [anna] = book(owner)
    assert (anna.first_name, anna.last_name, anna.preferred_name) == ("Anna", "Smith", "Annie")
    assert anna.company_name == "Harbour Sailing"
    assert emails(anna) == ["anna@example.com", "anna@harbour.example"]
    labels = {e.address: e.label for e in anna.emails.all()}
    assert labels == {"anna@example.com": "home", "anna@harbour.example": "work"}
    assert phones(anna) == ["+12025550143", "+14155552671"]
    assert (anna.street, anna.city, anna.region, anna.postal_code, anna.country) == (
        "1 Main St",
        "Springfield",
        "IL",
        "62701",
        "US",
    )
    assert (anna.birth_month, anna.birth_day, anna.birth_year) == (4, 15, None)
    [wedding] = anna.key_dates.all()
    assert (wedding.kind, wedding.month, wedding.day, wedding.year) == ("wedding", 6, 18, 2005)
    assert facts(anna) == ["Categories: Sailing club", "Met at the boat show"]

    report = run(write(tmp_path, "old.csv", GOOGLE_OLD), owner)
    assert report.format_name == "Google Contacts" and report.new == 1
    bob = book(owner)[1]
    assert (bob.first_name, bob.last_name, bob.company_name) == ("Bob", "Jones", "Jones & Sons")
    assert (bob.birth_month, bob.birth_day, bob.birth_year) == (11, 2, 1975)
    assert bob.key_dates.get().kind == KeyDateKind.WEDDING


OUTLOOK = (
    '"Title","First Name","Middle Name","Last Name","Suffix","Company","Department","Job Title",'
    '"Business Street","Business City","Business State","Business Postal Code",'
    '"Business Country/Region","Home Street","Home Street 2","Home City","Home State",'
    '"Home Postal Code","Home Country/Region","Business Phone","Home Phone","Mobile Phone",'
    '"Anniversary","Birthday","Categories","E-mail Address","E-mail Type","E-mail Display Name",'
    '"E-mail 2 Address","Notes","Spouse","Web Page"\r\n'
    '"","Cara","","Diaz","","Diaz Bakery","","","9 Mill Rd","Springfield","IL","62702",'
    '"United States","","","","","","","(202) 456-1111","","(415) 555-2671","6/18/2005",'
    '"0/0/00","VIP;Bakers","cara@diaz.example","SMTP","Cara Diaz (cara@diaz.example)","","","",""'
    "\r\n"
)


def test_outlook_export_needs_no_mapping(tmp_path, owner):
    report = run(write(tmp_path, "outlook.csv", OUTLOOK, "cp1252"), owner)
    assert report.format_name == "Outlook" and report.new == 1
    [cara] = book(owner)
    assert (cara.first_name, cara.last_name, cara.company_name) == ("Cara", "Diaz", "Diaz Bakery")
    # No home address: the business address is used.
    assert (cara.street, cara.postal_code, cara.country) == ("9 Mill Rd", "62702", "US")
    assert cara.birth_month is None  # Outlook writes 0/0/00 for "no birthday"
    assert {p.number: p.label for p in cara.phones.all()} == {
        "+14155552671": "mobile",
        "+12024561111": "work",
    }
    assert (cara.key_dates.get().month, cara.key_dates.get().day) == (6, 18)
    assert emails(cara) == ["cara@diaz.example"]
    assert cara.facts.get().tags == "vip, bakers"


def test_unknown_headers_need_a_mapping_and_a_mapping_reads_them(tmp_path, owner):
    text = "Vorname;Nachname;Firma;E-Mail-Adresse;Handy;Geburtstag\nJürgen;Müller;;j@m.example;+49 151 23456789;15.04.1980\n"
    path = write(tmp_path, "liste.csv", text, "cp1252")
    with pytest.raises(services.NeedsMapping) as needs:
        services.open_source(path)
    assert needs.value.suggestions["Vorname"] == "first_name"
    assert needs.value.suggestions["E-Mail-Adresse"] == "skip"
    mapping = {
        "Vorname": "first_name",
        "Nachname": "last_name",
        "E-Mail-Adresse": "email",
        "Handy": "phone:mobile",
        "Geburtstag": "birthday",
    }
    report = run(path, owner, mapping=mapping)
    assert report.new == 1
    [juergen] = book(owner)
    assert (juergen.first_name, juergen.last_name) == ("Jürgen", "Müller")
    assert phones(juergen) == ["+4915123456789"]
    assert (juergen.birth_month, juergen.birth_day, juergen.birth_year) == (4, 15, 1980)


def test_a_mapping_that_does_not_fit_says_why(tmp_path, owner):
    path = write(tmp_path, "x.csv", "A,B\n1,2\n")
    with pytest.raises(ValidationError, match="does not have"):
        services.open_source(path, {"C": "first_name"})
    with pytest.raises(ValidationError, match="not a field we import"):
        services.open_source(path, {"A": "shoe_size"})
    with pytest.raises(ValidationError, match="every customer needs a name"):
        services.open_source(path, {"A": "email"})


def test_names_and_values_that_are_not_what_they_seem_are_stored_as_text(tmp_path, owner):
    text = (
        "first_name,last_name,company,notes\n"
        '"<script>alert(1)</script>","=HYPERLINK(""http://evil.example"")",,"@SUM(A1)"\n'
        "Ann\x00a,Smith,,\n"
    )
    report = run(write(tmp_path, "nasty.csv", text), owner)
    assert report.new == 2
    script, anna = book(owner)
    assert script.first_name == "<script>alert(1)</script>"
    assert script.last_name == '=HYPERLINK("http://evil.example")'
    assert facts(script) == ["@SUM(A1)"]
    assert anna.first_name == "Anna"  # the NUL PostgreSQL would refuse is dropped


def test_backslashes_tabs_and_copy_markers_arrive_as_written(tmp_path, owner):
    # PostgreSQL writes imports with COPY, whose text format gives a backslash, \N, tabs and line
    # breaks a meaning of their own: each must arrive exactly as it was in the file.
    text = (
        "first_name,last_name,company,notes,email\n"
        'Back\\slash,\\N,"Tab\there",'
        '"C:\\new\\table\r\nline two\\.\n\\.",o\'brien@example.com\n'
    )
    report = run(write(tmp_path, "copy.csv", text), owner)
    assert (report.new, report.invalid) == (1, 0)
    [person] = book(owner)
    assert (person.first_name, person.last_name) == ("Back\\slash", "\\N")
    assert person.company_name == "Tab here"  # a name's tab is a space, as any whitespace
    assert facts(person) == ["C:\\new\\table\r\nline two\\.\n\\."]
    assert emails(person) == ["o'brien@example.com"]


def test_overlong_values_missing_names_and_bad_contacts_are_problems(tmp_path, owner):
    text = (
        "first_name,last_name,email,phone,country\n"
        f"{'A' * 101},Smith,,,\n"
        ",,lonely@example.com,,\n"
        "Bob,Jones,not-an-email,12,\n"
        "Cara,Diaz,,,Narnia\n"
    )
    report = run(write(tmp_path, "bad.csv", text), owner)
    found = [(p.number, p.field) for p in report.problems]
    assert found == [(2, "first_name"), (3, "name"), (4, "email"), (4, "phone"), (5, "country")]
    assert "at most 100 fit" in report.problems[0].message
    assert not report.written and book(owner) == []  # all or nothing


def test_a_row_with_more_cells_than_headers_is_reported(tmp_path, owner):
    text = "first_name,last_name\nAnna,Smith,oops\n"
    report = run(write(tmp_path, "wide.csv", text), owner, dry_run=True)
    assert [(p.number, p.field) for p in report.problems] == [(2, "row")]


def test_an_empty_file_or_header_only_file(tmp_path, owner):
    with pytest.raises(ValidationError, match="empty"):
        services.open_source(write(tmp_path, "empty.csv", ""))
    with pytest.raises(ValidationError, match="empty"):
        services.open_source(write(tmp_path, "blank.csv", "\n\n  \n"))
    report = run(write(tmp_path, "header.csv", "first_name,last_name\n"), owner)
    assert (report.rows, report.new) == (0, 0)


# The export's header row as the export writes it (declared in book/shape.py).
EXPORT_HEADERS = ",".join(csvfile.HEADERS)


def test_our_own_export_reads_back_with_its_neutralised_cells(tmp_path, owner):
    text = (
        "\ufeff" + EXPORT_HEADERS + "\r\n"
        "'=HYPERLINK(1),Smith,Annie,,anna@example.com,home,anna@work.example; a2@example.com,"
        "'+12025550143,mobile,'+14155552671,1 Main St,Springfield,IL,62701,US,The Smiths,"
        "'--04-15,2005-06-18,Customer,A,olivia,en,,2010-01-01,no,no,no,no,Likes sailing,17\r\n"
    )
    report = run(write(tmp_path, "export.csv", text), owner)
    assert report.format_name == "spreadsheet columns" and report.new == 1
    [anna] = book(owner)
    assert (anna.first_name, anna.preferred_name) == ("=HYPERLINK(1)", "Annie")
    assert emails(anna) == ["a2@example.com", "anna@example.com", "anna@work.example"]
    assert anna.emails.get(address="anna@example.com").label == "home"
    assert phones(anna) == ["+12025550143", "+14155552671"]
    assert anna.phones.get(number="+12025550143").label == "mobile"
    assert (anna.birth_month, anna.birth_day, anna.birth_year) == (4, 15, None)
    assert anna.key_dates.get().year == 2005
