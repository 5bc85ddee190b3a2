"""A personal e-mail from the rep, as the customer's mail program receives it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from extramile.outbox.compose import personal_email
from extramile.outbox.models import OutboxMessage
from extramile.outbox.sending import send_batch
from tests.conftest import NOW, make_customer


def body(mail, subtype):
    return mail.get_body((subtype,)).get_content().replace("\r\n", "\n")


def send_to_reader(owner, reader, **extra):
    message = personal_email(
        key="article:1",
        kind="article",
        sender=owner,
        customer=reader,
        subject="An article on winter tyres",
        text="Hello Anna,\n\nI thought of you when I read this.\n\nhttps://example.org/tyres",
        now=NOW,
        **extra,
    )
    assert send_batch(NOW).sent == 1
    return message


def test_the_customer_receives_a_personal_email_from_the_rep(smtp, owner, reader):
    message = send_to_reader(owner, reader)
    [mail] = smtp.to("anna@example.org")
    assert mail["From"].addresses[0].display_name == "Olivia Reed via Harbour Motors"
    assert mail["From"].addresses[0].addr_spec == "outbox@harbour.example"
    assert mail["Reply-To"] == "olivia@example.com"
    assert mail["Subject"] == "An article on winter tyres"
    assert mail["Message-ID"] == message.message_id
    text = body(mail, "plain")
    html = body(mail, "html")
    assert text.startswith("Hello Anna,\n\nI thought of you")
    assert "Olivia Reed\nHarbour Motors\n12 Quay Street\nPortland ME 04101" in text
    assert "Harbour Motors, 12 Quay Street, Portland ME 04101" in html
    assert "<p>Hello Anna,</p>" in html


def test_it_carries_a_working_one_click_unsubscribe(smtp, owner, reader):
    send_to_reader(owner, reader)
    [mail] = smtp.received
    header = mail["List-Unsubscribe"].strip()  # a long header is folded: leading space
    assert header.startswith("<https://crm.harbour.example/u/") and header.endswith("/>")
    url = header[1:-1]
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in body(mail, "plain")
    assert f'href="{url}"' in body(mail, "html")


def test_the_reps_own_html_is_kept_with_the_footer(smtp, owner, reader):
    send_to_reader(owner, reader, html="<p>Hello <b>Anna</b></p>")
    html = body(smtp.received[0], "html")
    assert "<p>Hello <b>Anna</b></p>" in html and "Unsubscribe</a>" in html


def test_text_written_by_the_rep_is_escaped_in_the_html_part(smtp, owner, reader):
    personal_email(
        key="other:1",
        kind="other",
        sender=owner,
        customer=reader,
        subject="Hi",
        text="Prices <b>fell</b> & rose",
        now=NOW,
    )
    send_batch(NOW)
    html = body(smtp.received[0], "html")
    assert "Prices &lt;b&gt;fell&lt;/b&gt; &amp; rose" in html


def test_a_customer_without_an_address_gets_post_instead(owner):
    bare = make_customer(owner, "Ben", "Post")
    with pytest.raises(ValidationError, match="Ben Post has no e-mail address: send it by post"):
        personal_email(
            key="article:2",
            kind="article",
            sender=owner,
            customer=bare,
            subject="Hi",
            text="Hello",
            now=NOW,
        )
    assert not OutboxMessage.objects.exists()


def test_a_customer_who_does_not_want_email_is_refused(owner, reader):
    reader.do_not_email = True
    reader.save()
    with pytest.raises(ValidationError, match="Anna Smith does not want e-mail"):
        personal_email(
            key="article:3",
            kind="article",
            sender=owner,
            customer=reader,
            subject="Hi",
            text="Hello",
            now=NOW,
        )
