"""Many inbound messages at once (an import, a mailbox catch-up, the benchmark).

The set-based twin of ``services.receive``: senders matched with one query per chunk of addresses,
one ``BusinessHours`` per owner time zone, deadlines computed in one pass, messages and their
"Reply owed" actions written with ``bulk_create`` in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from extramile.accounts.models import Company, User
from extramile.agenda import actions
from extramile.agenda.registry import ActionSpec
from extramile.book.models import Customer, display_name
from extramile.inbox import clock
from extramile.inbox.habits import REPLY
from extramile.inbox.matching import CHUNK, normalise_sender, owners_by_address
from extramile.inbox.models import Channel, InboundMessage, Source
from extramile.inbox.services import check_fields

BATCH = 2000


@dataclass(frozen=True)
class InboundRow:
    channel: str
    from_address: str
    received_at: dt.datetime
    summary: str = ""
    owner_id: int | None = None  # who logged it / whom it was sent to (see services.receive)
    from_name: str = ""
    external_id: str = ""


def deadlines(rows: Iterable[tuple[dt.datetime, str]], company: Company) -> list[dt.datetime]:
    """Reply deadlines for ``(received at, owner's time zone or "")`` pairs, in one pass with one
    ``BusinessHours`` per zone."""
    hours = clock.HoursCache(company)
    minutes = company.reply_within_minutes
    return [hours.for_zone(zone).add_minutes(received, minutes) for received, zone in rows]


def log_many(
    rows: Iterable[InboundRow],
    now: dt.datetime,
    *,
    source: str = Source.CLI,
    company: Company | None = None,
) -> list[InboundMessage]:
    """Log many messages; rows whose external id is known (or repeated) are skipped. Returns the
    new messages. All or nothing: a bad row raises ValidationError naming its line (1-based)."""
    company = company or Company.get()
    wanted: list[tuple[InboundRow, str]] = []
    seen_ids: set[str] = set()
    normalised: dict[tuple[str, str], str] = {}  # the same sender again is not parsed again
    for line, row in enumerate(rows, start=1):
        try:
            check_fields(
                channel=row.channel,
                received_at=row.received_at,
                now=now,
                summary=row.summary,
                from_name=row.from_name,
                source=source,
                external_id=row.external_id,
            )
            key = (row.channel, row.from_address)
            address = normalised.get(key) or normalise_sender(*key, company.country)
            normalised[key] = address
        except ValidationError as error:
            raise ValidationError(f"Row {line}: {' '.join(error.messages)}") from None
        if row.external_id:
            if row.external_id in seen_ids:
                continue
            seen_ids.add(row.external_id)
        wanted.append((row, address))
    known = _known_external_ids(seen_ids)
    wanted = [(row, address) for row, address in wanted if row.external_id not in known]

    found = owners_by_address(address for _, address in wanted)
    picks: list[tuple[int | None, int | None]] = []  # (customer id, owner id) per row
    for row, address in wanted:
        picks.append(_pick(found.get(address, []), row.owner_id))
    owner_ids = {owner for _, owner in picks if owner is not None}
    zones = dict(User.objects.filter(pk__in=owner_ids).values_list("pk", "time_zone"))
    due = deadlines(
        (
            (row.received_at, zones.get(owner, "") if owner else "")
            for (row, _), (_, owner) in zip(wanted, picks, strict=True)
        ),
        company,
    )
    messages = [
        InboundMessage(
            channel=row.channel,
            received_at=row.received_at,
            from_address=row.from_address.strip(),
            from_name=row.from_name.strip(),
            customer_id=customer_id,
            owner_id=owner_id,
            summary=row.summary.strip(),
            reply_due_at=deadline,
            source=source,
            external_id=row.external_id.strip(),
            created_at=now,
        )
        for (row, _), (customer_id, owner_id), deadline in zip(wanted, picks, due, strict=True)
    ]
    names = _customer_names({c for c, _ in picks if c is not None})
    hours = clock.HoursCache(company)
    with transaction.atomic():
        InboundMessage.objects.bulk_create(messages, batch_size=BATCH)
        specs = [
            ActionSpec(
                key=message.action_key,
                kind=REPLY.kind,
                owner_id=message.owner_id,
                customer_id=message.customer_id,
                title=_title(message, names),
                detail=message.summary[:1000],
                due_on=hours.for_zone(zones.get(message.owner_id, "")).local_date(
                    message.received_at
                ),
                due_at=message.reply_due_at,
                priority=REPLY.priority,
            )
            for message in messages
            if message.owner_id is not None
        ]
        for start in range(0, len(specs), BATCH):
            actions.put_many(specs[start : start + BATCH], now)
    return messages


def _pick(
    candidates: list[tuple[int, int]], logged_by: int | None
) -> tuple[int | None, int | None]:
    """The same rules as ``matching.choose``, on ids: one customer wins; among several, the one
    the logging user owns; else unmatched, going to their common owner or the logging user."""
    candidates = list(dict.fromkeys(candidates))  # one customer with "A@x" and "a@x"
    if len(candidates) == 1:
        return candidates[0]
    owned = [c for c in candidates if c[1] == logged_by]
    if len(owned) == 1:
        return owned[0]
    owners = {owner for _, owner in candidates}
    if len(owners) == 1:
        return None, owners.pop()
    return None, logged_by


def _known_external_ids(ids: set[str]) -> set[str]:
    ordered = sorted(ids)
    known: set[str] = set()
    for start in range(0, len(ordered), CHUNK):
        known.update(
            InboundMessage.objects.filter(
                external_id__in=ordered[start : start + CHUNK]
            ).values_list("external_id", flat=True)
        )
    return known


def _customer_names(ids: set[int]) -> dict[int, str]:
    ordered = sorted(ids)
    names: dict[int, str] = {}
    for start in range(0, len(ordered), CHUNK):
        rows = Customer.objects.filter(pk__in=ordered[start : start + CHUNK]).values_list(
            "pk", "first_name", "last_name", "company_name"
        )
        for pk, first, last, company_name in rows:
            names[pk] = display_name(first, last, company_name) or f"Customer #{pk}"
    return names


def _title(message: InboundMessage, names: dict[int, str]) -> str:
    sender = names.get(message.customer_id or 0) or message.from_name or message.from_address
    channel = Channel(message.channel).label.lower()
    return f"Reply to {sender} ({channel})"[:200]
