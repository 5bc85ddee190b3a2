"""Reply templates: ``{first_name}``-style fields filled in by plain substitution.

Templates are text written by users, so they are never given to a template engine (Django's
templates, ``str.format`` and ``string.Template`` would let ``{{ … }}``, ``{0.__class__}`` and the
like reach objects). A placeholder is ``{name}`` with ``name`` one of ``FIELDS``; the values are
plain strings; ``{{`` and ``}}`` are literal braces. Anything else in braces is refused when the
template is saved, so a typo is caught then, not in a customer's e-mail.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from extramile.accounts.models import Company, User
from extramile.book.models import Customer

FIELDS: dict[str, str] = {
    "first_name": "the customer's first name (or the name they like to be called)",
    "customer_name": "the customer's full name",
    "rep_name": "your name",
    "rep_first_name": "your first name",
    "company": "the company's name",
    "signature": "your signature (name, company, e-mail)",
}

PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def check(text: str) -> None:
    """Refuse a template whose placeholders are not all known fields."""
    unknown = []
    for match in PLACEHOLDER.finditer(text):
        piece = match.group(0)
        if piece in {"{{", "}}"}:
            continue
        name = match.group(1)
        if name is None or name not in FIELDS:
            unknown.append(piece)
    if unknown:
        known = ", ".join("{" + name + "}" for name in FIELDS)
        raise ValidationError(
            f"Unknown field{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}: use {known} "
            "(write {{ and }} for a brace)."
        )


def fill(text: str, values: dict[str, str]) -> str:
    """``text`` with each known ``{field}`` replaced by its value; unknown ones stay as written."""

    def replace(match: re.Match[str]) -> str:
        piece = match.group(0)
        if piece == "{{":
            return "{"
        if piece == "}}":
            return "}"
        name = match.group(1)
        if name is not None and name in values:
            return values[name]
        return piece

    return PLACEHOLDER.sub(replace, text)


def signature(user: User, company: Company) -> str:
    lines = [user.get_full_name() or user.username, company.name, user.email]
    return "\n".join(line for line in lines if line)


def values_for(
    customer: Customer | None, user: User, company: Company, sender: str = ""
) -> dict[str, str]:
    if customer is not None:
        first = customer.greeting_name
        full = customer.full_name
    else:
        first = full = sender
    return {
        "first_name": first,
        "customer_name": full,
        "rep_name": user.get_full_name() or user.username,
        "rep_first_name": user.first_name or user.username,
        "company": company.name,
        "signature": signature(user, company),
    }
