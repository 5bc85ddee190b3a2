"""The full JSON export, written piece by piece so a million customers never sit in memory.

The document is one JSON object::

    {"format": "extramile-export", "version": 1, "exported_at": …, "exported_by": …,
     "users": [...], "households": [...], "customers": [...],
     "unmatched_inbound_messages": [...], "stories": [...]}

``customers`` holds one record per customer the user may see (see ``records.py``);
``unmatched_inbound_messages`` the messages not matched to any customer that the user may see
(the Inbox's rule); ``stories`` the extra-mile stories the user may see. Dates are ISO 8601, instants in UTC, amounts strings.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet

from extramile.accounts.models import User
from extramile.book.models import Customer, Household
from extramile.culture.models import Story
from extramile.exports.records import Reader, columns, counts_of
from extramile.inbox.models import InboundMessage

FORMAT = "extramile-export"
VERSION = 1
USER_COLUMNS = ("id", "username", "first_name", "last_name", "email", "role", "team_id")


def dumps(value: Any) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


def _array(rows: Iterator[Any]) -> Iterator[str]:
    yield "["
    first = True
    for row in rows:
        yield ("\n" if first else ",\n") + dumps(row)
        first = False
    yield "\n]"


def _keyset(queryset: QuerySet[Any], fields: list[str], size: int = 2000) -> Iterator[Any]:
    """Rows of ``queryset`` (its values ``fields``) in pk order, a chunk at a time."""
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk").values(*fields)[:size])
        if not rows:
            return
        yield from rows
        last = rows[-1]["id"]


def header(user: User, now: dt.datetime, what: str) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "what": what,
        "exported_at": now,
        "exported_by": user.username,
    }


def stream_book(user: User, now: dt.datetime) -> Iterator[str]:
    """The whole export for ``user`` as pieces of text; join them or write them as they come."""
    reader = Reader(user)
    head = dumps(header(user, now, "book"))
    yield head[:-1] + ',\n"users": '
    yield from _array(
        iter(User.objects.visible_to(user).active().order_by("pk").values(*USER_COLUMNS))
    )
    yield ',\n"households": '
    yield from _array(_keyset(Household.objects.visible_to(user), columns(Household)))
    yield ',\n"customers": '
    yield from _array(reader.iter_records())
    yield ',\n"unmatched_inbound_messages": '
    unmatched = InboundMessage.objects.visible_to(user).filter(customer__isnull=True)
    yield from _array(_keyset(unmatched, columns(InboundMessage)))
    yield ',\n"stories": '
    yield from _array(_keyset(Story.objects.visible_to(user), columns(Story)))
    yield "\n}\n"


def customer_document(user: User, customer: Customer, now: dt.datetime) -> dict[str, Any]:
    """Everything about one customer the user may see, as one JSON-ready dictionary."""
    records = Reader(user).records([customer.pk])
    record = records[0]
    household = (
        Household.objects.filter(pk=customer.household_id).values(*columns(Household)).first()
        if customer.household_id
        else None
    )
    stories = list(
        Story.objects.visible_to(user)
        .filter(customer=customer)
        .order_by("pk")
        .values(*columns(Story))
    )
    return header(user, now, "customer") | {
        "customer": record,
        "household": household,
        "stories": stories,
    }


def customer_counts(document: dict[str, Any]) -> dict[str, int]:
    counts = counts_of(document["customer"])
    if document["stories"]:
        counts["stories"] = len(document["stories"])
    return counts


def customer_json(document: dict[str, Any]) -> str:
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2) + "\n"
