"""``{% book_note "bought" %}``: the footnote a page shows when it counts a part of the book.

The book is ``book.services.book(user)``; the note says how many of it the page counts and what it
leaves out ("483 of the 542 in your book: customers and former customers (59 prospects left
out)."), so no two pages show two sizes of "your book" without a word on why.
"""

from __future__ import annotations

import math

from django import template
from django.template.context import Context
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from extramile.accounts.models import User
from extramile.book.listing import CustomerRow
from extramile.book.services import BookSize, book_size

register = template.Library()


def size_for(context: Context) -> BookSize | None:
    user = context.get("user")
    if not isinstance(user, User):
        return None
    size = context.render_context.get("book_size")
    if size is None:
        size = book_size(user)
        context.render_context["book_size"] = size
    return size


@register.simple_tag(takes_context=True)
def book_note(context: Context, part: str) -> str:
    size = size_for(context)
    if size is None:
        return ""
    return format_html('<p class="muted book-note">{}</p>', size.note(part))


@register.simple_tag(takes_context=True)
def book_total(context: Context) -> str:
    """“542 in your book: 464 customers, 19 former customers, 59 prospects.”"""
    size = size_for(context)
    if size is None:
        return ""
    parts = [
        f"{n:,} {word}{'' if n == 1 else 's'}"
        for n, word in (
            (size.customers, "customer"),
            (size.former, "former customer"),
            (size.prospects, "prospect"),
        )
        if n
    ]
    return f"{size.total:,} in {size.words}" + (f": {', '.join(parts)}" if parts else "") + "."


@register.simple_tag
def customer_rows(rows: list[CustomerRow], customer_url: str, owners: bool) -> SafeString:
    """The customer list's rows (``book.listing.CustomerRow``), made here rather than by a
    template loop: fifty rows of a dozen tags each were half the page's time (the template
    language resolves every variable through its lookup chain)."""
    return mark_safe("".join(_customer_row(c, customer_url, owners) for c in rows))  # noqa: S308  (every value escaped below)


def _customer_row(c: CustomerRow, customer_url: str, owners: bool) -> str:
    main = [f"<strong>{escape(c.full_name)}</strong>"]
    if c.preferred_name and c.preferred_name != c.first_name:
        main.append(f'<span class="muted">“{escape(c.preferred_name)}”</span>')
    main.append(f'<span class="badge status-{escape(c.status)}">{escape(c.status_label)}</span>')
    badges = ""
    if c.status == "customer":
        badges += f'<span class="badge tier-{escape(c.tier)}" title="Tier">{escape(c.tier)}</span>'
    if c.score is not None:
        score = math.floor(c.score + 0.5)  # as floatformat:0 rounds (half up), in 1/40 the time
        badges += f'<span class="value-score" title="Value score (0–100)">{score}</span>'
    meta = []
    if c.email:
        meta.append(f'<a href="mailto:{escape(c.email)}">{escape(c.email)}</a>')
    if c.phone:
        meta.append(f'<a href="tel:{escape(c.phone)}">{escape(c.phone_display)}</a>')
    tail = " · ".join(meta)
    if c.city:
        tail += f" · {escape(c.city)}"
    if owners:
        tail += f" · {escape(c.owner)}"
    return (
        f'<li class="row"><a class="row-main" href="{escape(customer_url)}{c.pk}/">'
        f"{' '.join(main)}{badges}</a>"
        f'<span class="row-meta">{tail}</span></li>\n'
    )
