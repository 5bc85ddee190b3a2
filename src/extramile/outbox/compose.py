"""A personal e-mail from a rep to a customer: how it looks and which headers it carries.

Not a newsletter: plain text first (what the rep wrote, signed with their name), a light HTML part
with the same words, and a quiet footer with the company's postal address and the unsubscribe link.

From is ``"Rep Name via Company" <the outbox's own address>`` and Reply-To is the rep's address:
the mail server is allowed to send for its own domain (SPF/DKIM/DMARC pass), while the customer
sees the rep's name and a reply goes straight to the rep.
"""

from __future__ import annotations

import datetime as dt
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.html import escape, format_html, linebreaks

from extramile.accounts.models import Company, User
from extramile.addresses import format_address
from extramile.book.models import Customer
from extramile.outbox.models import OutboxMessage
from extramile.outbox.services import enqueue
from extramile.outbox.tokens import unsubscribe_url


def sender_name(user: User) -> str:
    return user.get_full_name() or user.username


def company_address(company: Company) -> list[str]:
    """The company's name and postal address, as on an envelope sent from its own country."""
    return format_address(
        company.name,
        company.street,
        company.city,
        company.region,
        company.postal_code,
        company.country,
        home_country=company.country,
    )


def recipient_address(customer: Customer) -> str:
    """The customer's primary e-mail address (else their first); refuses when they have none."""
    email = customer.emails.order_by("-is_primary", "id").first()
    if email is None:
        raise ValidationError(f"{customer.full_name} has no e-mail address: send it by post.")
    return email.address


def unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: the mail program's own one-click unsubscribe button."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def text_body(text: str, rep: str, address: list[str], company: str, url: str) -> str:
    signature = "\n".join([rep, *address])
    return (
        f"{text.strip()}\n\n-- \n{signature}\n\n"
        f"You get this e-mail as a customer of {company}. "
        f"To get no more e-mails from us: {url}\n"
    )


def html_body(html: str, text: str, rep: str, address: list[str], url: str) -> str:
    content = html or linebreaks(escape(text.strip()))
    footer = format_html(
        '<p style="margin-top:2em;color:#666;font-size:12px">{}<br>{}<br>'
        '<a href="{}" style="color:#666">Unsubscribe</a></p>',
        rep,
        ", ".join(address),
        url,
    )
    return (
        '<!doctype html><html><body style="font-family:Georgia,serif;font-size:15px;'
        f'line-height:1.5;color:#222;max-width:40em">{content}{footer}</body></html>'
    )


def personal_email(
    *,
    key: str,
    kind: str,
    sender: User,
    customer: Customer,
    subject: str,
    text: str,
    now: dt.datetime,
    html: str = "",
) -> OutboxMessage:
    """Queue a personal e-mail from ``sender`` to ``customer`` (idempotent on ``key``).

    ``text`` is what the rep says (no signature, no footer: both are added); ``html`` optionally
    replaces the HTML part's content. Refuses a customer without an e-mail address or who does
    not want e-mail.
    """
    existing = OutboxMessage.objects.filter(key=key).first()
    if existing is not None:
        return existing
    if customer.do_not_email:
        raise ValidationError(f"{customer.full_name} does not want e-mail: send it by post.")
    to_address = recipient_address(customer)
    company = Company.get()
    rep = sender_name(sender)
    address = company_address(company)
    url = unsubscribe_url(customer.pk)
    outbox_address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "extramile@localhost"
    return enqueue(
        key=key,
        kind=kind,
        to_address=to_address,
        subject=subject,
        text=text_body(text, rep, address, company.name, url),
        html=html_body(html, text, rep, address, url),
        now=now,
        customer=customer,
        user=sender,
        from_address=formataddr((f"{rep} via {company.name}", outbox_address)),
        reply_to=sender.email or "",
        headers=unsubscribe_headers(url),
    )
