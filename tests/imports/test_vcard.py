"""vCard files as phones and address books export them: 2.1 (Android), 3.0 (iPhone, Google),
4.0."""

from __future__ import annotations

import pytest

from tests.imports.helpers import book, emails, facts, phones, run, write

pytestmark = pytest.mark.django_db

PHOTO = (
    "PHOTO;ENCODING=b;TYPE=JPEG:" + "/9j/4AAQSkZJRgABAQAAAQABAAD" * 4 + "\r\n " + "A" * 74 + "\r\n"
)

VCARD_30 = (
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "PRODID:-//Apple Inc.//iPhone OS 17.0//EN\r\n"
    "N:Smith;Anna;Maria;;\r\n"
    "FN:Anna Maria Smith\r\n"
    "NICKNAME:Annie\r\n"
    "ORG:Harbour Sailing;\r\n"
    "EMAIL;type=INTERNET;type=HOME;type=pref:anna@example.com\r\n"
    "item1.EMAIL;type=INTERNET:anna@harbour.example\r\n"
    "TEL;type=CELL;type=VOICE;type=pref:(202) 555-0143\r\n"
    "TEL;type=WORK:+1 415 555 2671\r\n"
    "item2.ADR;type=HOME;type=pref:;;1 Main St\\nApt 2;Springfield;IL;62701;United States\r\n"
    "BDAY;X-APPLE-OMIT-YEAR=1604:1604-04-15\r\n"
    "item3.X-ABDATE:2005-06-18\r\n"
    "item3.X-ABLabel:_$!<Anniversary>!$_\r\n"
    "NOTE:Met at the boat show\\, loves \r\n"
    " sailing.\r\n"
    "CATEGORIES:Sailing club,VIP\r\n"
    "X-SOCIALPROFILE;type=twitter:http://twitter.com/anna\r\n" + PHOTO + "END:VCARD\r\n"
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "N:Jones;Bob;;;\r\n"
    "FN:Bob Jones\r\n"
    "TEL;TYPE=HOME:202-456-1111\r\n"
    "BDAY:19751102\r\n"
    "X-ANNIVERSARY:--0901\r\n"
    "END:VCARD\r\n"
)


def test_vcard_30_from_an_iphone(tmp_path, owner):
    report = run(write(tmp_path, "contacts.vcf", VCARD_30), owner)
    assert (report.kind, report.new, report.invalid) == ("vcard", 2, 0)
    anna, bob = book(owner)
    assert (anna.first_name, anna.last_name, anna.preferred_name) == ("Anna", "Smith", "Annie")
    assert anna.company_name == "Harbour Sailing"
    assert emails(anna) == ["anna@example.com", "anna@harbour.example"]
    assert anna.emails.get(is_primary=True).address == "anna@example.com"
    assert {p.number: p.label for p in anna.phones.all()} == {
        "+12025550143": "mobile",
        "+14155552671": "work",
    }
    assert (anna.street, anna.city, anna.region, anna.postal_code, anna.country) == (
        "1 Main St, Apt 2",
        "Springfield",
        "IL",
        "62701",
        "US",
    )
    assert (anna.birth_month, anna.birth_day, anna.birth_year) == (4, 15, None)
    assert [(k.kind, k.month, k.day, k.year) for k in anna.key_dates.all()] == [
        ("wedding", 6, 18, 2005)
    ]
    assert facts(anna) == ["Categories: Sailing club, VIP", "Met at the boat show, loves sailing."]
    assert (bob.birth_month, bob.birth_day, bob.birth_year) == (11, 2, 1975)
    assert [(k.month, k.day, k.year) for k in bob.key_dates.all()] == [(9, 1, None)]


VCARD_40 = (
    "BEGIN:VCARD\n"
    "VERSION:4.0\n"
    "N:Diaz;Cara;;;\n"
    "FN:Cara Diaz\n"
    'EMAIL;TYPE="work,internet";PREF=1:cara@diaz.example\n'
    'TEL;VALUE=uri;TYPE="cell,voice":tel:+1-415-555-2671\n'
    'ADR;TYPE=work;LABEL="9 Mill Rd\\nSpringfield":;;9 Mill Rd;Springfield;IL;62702;USA\n'
    "BDAY:--04-15\n"
    "ANNIVERSARY:20050618\n"
    "PHOTO:data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ\n"
    "X-UNKNOWN;FOO=bar:whatever\n"
    "END:VCARD\n"
    "BEGIN:VCARD\n"
    "VERSION:4.0\n"
    "FN:Eve Evans\n"
    "BDAY:--0230\n"
    "END:VCARD\n"
    "BEGIN:VCARD\n"
    "VERSION:4.0\n"
    "FN:Dev Patel\n"
    "BDAY:1980-04-15\n"
    "END:VCARD\n"
)


def test_vcard_40_with_a_problem_on_its_line(tmp_path, owner):
    path = write(tmp_path, "four.vcf", VCARD_40)
    report = run(path, owner, dry_run=True)
    [problem] = report.problems
    # The 30 February is on line 16 of the file (the card starts on line 13).
    assert (problem.unit, problem.number, problem.field) == ("line", 16, "birthday")
    assert problem.message == "February has no day 30."
    assert (report.new, report.invalid, report.written) == (2, 1, False)

    report = run(path, owner, skip_invalid=True, rejects_path=tmp_path / "rejects.csv")
    assert report.written and report.new == 2
    cara, dev = book(owner)
    assert emails(cara) == ["cara@diaz.example"] and phones(cara) == ["+14155552671"]
    assert cara.phones.get().label == "mobile"
    assert (cara.street, cara.postal_code, cara.country) == ("9 Mill Rd", "62702", "US")
    assert (cara.birth_month, cara.birth_day, cara.birth_year) == (4, 15, None)
    assert [(k.month, k.day, k.year) for k in cara.key_dates.all()] == [(6, 18, 2005)]
    assert (dev.first_name, dev.last_name) == ("Dev", "Patel")  # split from FN
    rejects = (tmp_path / "rejects.csv").read_text(encoding="utf-8-sig")
    assert "FN:Eve Evans" in rejects and "Line 16, birthday" in rejects


ANDROID_21 = (
    "BEGIN:VCARD\r\n"
    "VERSION:2.1\r\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen;;;\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=C3=BCller\r\n"
    "TEL;CELL;PREF:+49 151 23456789\r\n"
    "TEL;HOME:030 1234567\r\n"
    "EMAIL;HOME:juergen@example.de\r\n"
    "ADR;HOME;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:;;Stra=C3=9Fe des 17. Juni 1;Berlin;;10623;Deut=\r\n"
    "schland\r\n"
    "NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Mag =C3=84pfel und f=C3=A4hrt gern Rad, ein l=\r\n"
    "anger Satz=0D=0Amit Zeilenumbruch\r\n"
    "BDAY:1980-04-15\r\n"
    "PHOTO;ENCODING=BASE64;JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEx8\r\n"
    " AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n"
    "\r\n"
    "END:VCARD\r\n"
    "BEGIN:VCARD\r\n"
    "VERSION:2.1\r\n"
    "N:;;;;\r\n"
    "TEL;CELL:+49 160 1234567\r\n"
    "END:VCARD\r\n"
)


def test_android_21_quoted_printable(tmp_path, company, owner):
    company.country = "DE"
    company.save()
    report = run(write(tmp_path, "00001.vcf", ANDROID_21), owner, skip_invalid=True)
    assert (report.new, report.invalid) == (1, 1)
    assert [(p.number, p.field) for p in report.problems] == [(17, "name")]
    [juergen] = book(owner)
    assert (juergen.first_name, juergen.last_name) == ("Jürgen", "Müller")
    assert phones(juergen) == ["+4915123456789", "+49301234567"]
    assert (juergen.street, juergen.city, juergen.postal_code, juergen.country) == (
        "Straße des 17. Juni 1",
        "Berlin",
        "10623",
        "DE",
    )
    assert facts(juergen) == ["Mag Äpfel und fährt gern Rad, ein langer Satz\r\nmit Zeilenumbruch"]


def test_a_card_cut_off_at_the_end_is_a_problem(tmp_path, owner):
    text = "BEGIN:VCARD\nVERSION:3.0\nFN:Anna Smith\nBEGIN:VCARD\nVERSION:3.0\nFN:Bob Jones\n"
    report = run(
        write(tmp_path, "cut.vcf", "BEGIN:VCARD\nVERSION:3.0\nFN:Zoe Ng\nEND:VCARD\n" + text), owner
    )
    assert report.new == 1 and report.invalid == 1
    assert report.problems[0].field == "card" and report.problems[0].number == 5
