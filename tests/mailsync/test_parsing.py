"""Folder names and message parsing, without a server."""

from __future__ import annotations

import datetime as dt

import pytest

from extramile.mailsync import folders, imap, parse


@pytest.mark.parametrize(
    ("text", "wire"),
    [
        ("INBOX", "INBOX"),
        ("Éléments envoyés", "&AMk-l&AOk-ments envoy&AOk-s"),
        ("Tom & Jerry", "Tom &- Jerry"),
        ("送信済み", "&kAFP4W4IMH8-"),
    ],
)
def test_modified_utf7_both_ways(text, wire):
    assert folders.encode(text) == wire
    assert folders.decode(wire) == text


def test_list_answers_and_the_sent_folder():
    data = [
        b'(\\HasNoChildren) "/" INBOX',
        b'(\\HasNoChildren \\Sent) "/" "&AMk-l&AOk-ments envoy&AOk-s"',
        (b'(\\HasNoChildren) "/" {10}', b"Sent Items"),
        b'(\\Noselect \\HasChildren) "/" "[Gmail]"',
    ]
    found = folders.parse_list(data)
    assert [f.name for f in found] == ["INBOX", "Éléments envoyés", "Sent Items", "[Gmail]"]
    assert folders.find_sent(found) == "Éléments envoyés"
    # Without SPECIAL-USE: a usual name.
    plain = [
        folders.FolderInfo("INBOX", frozenset()),
        folders.FolderInfo("Sent Items", frozenset()),
    ]
    assert folders.find_sent(plain) == "Sent Items"
    assert folders.find_sent([folders.FolderInfo("INBOX", frozenset())]) is None


def test_quoting_a_folder_name():
    assert folders.quote('My "Sent"') == '"My \\"Sent\\""'


def test_internaldate_is_read_in_utc():
    meta = b'1 (UID 7 INTERNALDATE "23-Nov-2026 09:40:00 -0500" BODY[HEADER] {12}'
    assert imap.parse_internaldate(meta) == dt.datetime(2026, 11, 23, 14, 40, tzinfo=dt.UTC)
    assert imap.parse_internaldate(b"1 (UID 7)") is None


def test_references_newest_first_and_without_repeats():
    message = parse.parse(b"In-Reply-To: <c@x>\r\nReferences: <a@x> <b@x>\r\n <c@x>\r\n\r\nbody")
    assert parse.references(message) == ["c@x", "b@x", "a@x"]


def test_the_summary_prefers_text_and_leaves_quotes_out():
    raw = (
        b"Subject: Quote\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/alternative; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>HTML <b>only</b></p>\r\n"
        b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nYes please.\r\n> earlier text\r\n"
        b"--b--\r\n"
    )
    assert parse.summary(parse.parse(raw)) == "Quote\n\nYes please."


def test_html_only_mail_is_read_as_text():
    raw = (
        b"Subject: Hi\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b"<html><head><style>p{}</style></head><body><p>Call me</p><script>x()</script></body>"
    )
    assert parse.summary(parse.parse(raw)) == "Hi\n\nCall me"


def test_a_message_without_message_id_still_gets_a_stable_key():
    raw = b"From: a@example.com\r\nSubject: S\r\nDate: Mon, 23 Nov 2026 09:40:00 -0500\r\n\r\nx"
    assert parse.message_key(parse.parse(raw)) == parse.message_key(parse.parse(raw + b"y"))


def test_clean_text_for_the_database():
    assert parse.clean("caf\udce9") == "café"  # raw Latin-1 byte smuggled in as a surrogate
    assert parse.clean("a\x00b") == "ab"
    assert parse.clean("\ud800x") == "?x"
