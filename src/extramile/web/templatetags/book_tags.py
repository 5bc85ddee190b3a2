"""``{% book_note "bought" %}``: the footnote a page shows when it counts a part of the book.

The book is ``book.services.book(user)``; the note says how many of it the page counts and what it
leaves out ("483 of the 542 in your book: customers and former customers (59 prospects left
out)."), so no two pages show two sizes of "your book" without a word on why.
"""

from __future__ import annotations

from django import template
from django.template.context import Context
from django.utils.html import format_html

from extramile.accounts.models import User
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
