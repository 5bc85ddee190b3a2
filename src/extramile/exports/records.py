"""Everything the book holds about customers, as plain dictionaries (the JSON export's content).

A customer's record carries every column of the customer and of each record about them (e-mail
addresses, phones, key dates, facts, relationships, sales, referrals, promises, contacts, service
requests with their timelines, inbound messages, actions, cards, calls, interests, article
mailings, lunches, opportunities, card preferences, unsubscribes). Records are read for a chunk
of customers at a time with one query per kind (``values()``: no model instances), so a whole
book streams in constant memory.

Links to other customers (relationships, referrals) are kept only when the other customer is
visible to the exporting user too, so an export never names someone outside their scope.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet

from extramile.accounts.models import User
from extramile.accounts.scoping import sees_everything
from extramile.agenda.models import Action
from extramile.articles.models import ArticleMailing, CustomerTopic
from extramile.book.models import (
    Contact,
    Customer,
    EmailAddress,
    Fact,
    KeyDate,
    PhoneNumber,
    Promise,
    Referral,
    Relationship,
    Sale,
)
from extramile.cards.models import Card, OccasionPreference
from extramile.inbox.models import InboundMessage
from extramile.outbox.models import Unsubscribe
from extramile.outreach.models import Call
from extramile.playbook.models import Opportunity
from extramile.service.models import ServiceEvent, ServiceRequest
from extramile.value.models import Invitation

CHUNK = 500


@dataclass(frozen=True)
class Kind:
    """Records of ``model`` whose ``field`` points at the customer, listed under ``key``."""

    key: str
    model: type[models.Model]
    field: str = "customer"


# The order here is the order in each customer's record.
KINDS: tuple[Kind, ...] = (
    Kind("emails", EmailAddress),
    Kind("phones", PhoneNumber),
    Kind("key_dates", KeyDate),
    Kind("facts", Fact),
    Kind("interests", CustomerTopic),
    Kind("sales", Sale),
    Kind("promises", Promise),
    Kind("contacts", Contact),
    Kind("service_requests", ServiceRequest),
    Kind("inbound_messages", InboundMessage),
    Kind("actions", Action),
    Kind("cards", Card),
    Kind("card_preferences", OccasionPreference),
    Kind("calls", Call),
    Kind("article_mailings", ArticleMailing),
    Kind("lunches", Invitation),
    Kind("opportunities", Opportunity),
    Kind("unsubscribes", Unsubscribe),
)


def columns(model: type[models.Model], skip: Sequence[str] = ()) -> list[str]:
    """Every stored column of ``model`` (foreign keys as ``<name>_id``), but those in ``skip``."""
    return [f.attname for f in model._meta.concrete_fields if f.attname not in skip]


CUSTOMER_COLUMNS = columns(Customer)


def chunks(book: QuerySet[Customer], size: int | None = None) -> Iterator[list[int]]:
    """The ids of ``book`` in ascending chunks (keyset pagination: each query starts where the
    last one ended, so the millionth customer costs what the first did)."""
    size = size or CHUNK
    last = 0
    while True:
        ids = list(book.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size])
        if not ids:
            return
        yield ids
        last = ids[-1]


def subset(book: QuerySet[Customer], ids: list[int]) -> QuerySet[Customer, Any]:
    """The chunk ``ids`` of ``book`` (ascending, consecutive in ``book``, as ``chunks`` yields
    them) as a subquery: the range of ids within the book. Records of each kind are read with
    ``customer IN (this subquery)``, so no query carries a list of 500 ids, which Django would
    check value by value for every kind of record."""
    return book.filter(pk__gte=ids[0], pk__lte=ids[-1]).values("pk")


def _grouped(rows: QuerySet[Any], key: str) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row[key]].append(row)
    return grouped


class Reader:
    """Reads customers' records for one user, chunk by chunk."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.book = Customer.objects.visible_to(user)
        self.everything = sees_everything(user)

    def _others_visible(self, field: str) -> Q:
        """The other end of a link is in scope (always, for someone who sees everything)."""
        return Q() if self.everything else Q(**{f"{field}__in": self.book.values("pk")})

    def records(self, ids: list[int]) -> list[dict[str, Any]]:
        """The full records of the customers ``ids`` (which the caller took from the user's
        book), in the order of ``ids``."""
        customers = {
            row["id"]: row
            for row in Customer.objects.filter(pk__in=ids)
            .annotate(owner_username=models.F("owner__username"))
            .values(*CUSTOMER_COLUMNS, "owner_username")
        }
        chunk = subset(self.book, ids)
        related: dict[str, dict[int, list[dict[str, Any]]]] = {}
        for kind in KINDS:
            fk = f"{kind.field}_id"
            rows = (
                kind.model._default_manager.filter(**{f"{kind.field}__in": chunk})
                .order_by("pk")
                .values(*columns(kind.model))
            )
            related[kind.key] = _grouped(rows, fk)
        events = _grouped(
            ServiceEvent.objects.filter(request__customer__in=chunk)
            .order_by("at", "pk")
            .values(*columns(ServiceEvent)),
            "request_id",
        )
        for requests in related["service_requests"].values():
            for request in requests:
                request["events"] = events.get(request["id"], [])
        links = self._links(chunk)
        out = []
        for pk in ids:
            record = customers.get(pk)
            if record is None:
                continue
            for kind in KINDS:
                record[kind.key] = related[kind.key].get(pk, [])
            record.update(links[pk])
            out.append(record)
        return out

    def _links(self, chunk: QuerySet[Customer, Any]) -> dict[int, dict[str, list[dict[str, Any]]]]:
        """Relationships and referrals, read from each side, with the other end in scope."""
        links: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(
            lambda: {"relationships": [], "referrals_given": [], "referrals_received": []}
        )
        out = Relationship.objects.filter(
            Q(from_customer__in=chunk) & self._others_visible("to_customer")
        ).values("id", "from_customer_id", "to_customer_id", "kind", "note")
        into = Relationship.objects.filter(
            Q(to_customer__in=chunk) & self._others_visible("from_customer")
        ).values("id", "from_customer_id", "to_customer_id", "kind", "note")
        for row in out:
            links[row["from_customer_id"]]["relationships"].append(
                # “<this customer> is the <kind> of <customer_id>”
                {"id": row["id"], "kind": row["kind"], "of_customer_id": row["to_customer_id"]}
                | {"note": row["note"]}
            )
        for row in into:
            links[row["to_customer_id"]]["relationships"].append(
                {
                    "id": row["id"],
                    "kind": Relationship.inverse(row["kind"]),
                    "of_customer_id": row["from_customer_id"],
                    "note": row["note"],
                }
            )
        referral_columns = columns(Referral)
        for row in Referral.objects.filter(
            Q(referrer__in=chunk) & self._others_visible("referred")
        ).values(*referral_columns):
            links[row["referrer_id"]]["referrals_given"].append(row)
        for row in Referral.objects.filter(
            Q(referred__in=chunk) & self._others_visible("referrer")
        ).values(*referral_columns):
            links[row["referred_id"]]["referrals_received"].append(row)
        return links

    def iter_records(self, book: QuerySet[Customer] | None = None) -> Iterator[dict[str, Any]]:
        for ids in chunks(self.book if book is None else book):
            yield from self.records(ids)


def counts_of(record: dict[str, Any]) -> dict[str, int]:
    """How many records of each kind one customer's record holds (for the audit)."""
    counts = {"customers": 1}
    for key in (
        *(kind.key for kind in KINDS),
        "relationships",
        "referrals_given",
        "referrals_received",
    ):
        if record.get(key):
            counts[key] = len(record[key])
    return counts
