"""``/api/inbound``: log a call, voicemail, e-mail, text or web form owed a reply (a webhook), and
read and answer the messages you may see (``inbox.queries.visible_messages``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Status
from pydantic import BaseModel, ConfigDict

from extramile import clock
from extramile.api.access import get_visible, personal_user
from extramile.api.auth import acting_user, user_named
from extramile.api.errors import responses
from extramile.api.idempotency import idempotent
from extramile.api.pages import Page, PageParams, check_query, paginate
from extramile.api.types import Input, Moment, QueryFlag
from extramile.inbox.models import (
    EMAIL_CHANNELS,
    PHONE_CHANNELS,
    Channel,
    InboundMessage,
    Source,
)
from extramile.inbox.services import mark_replied, receipt, receive

router = Router(tags=["inbound"])


def _sender_is(channels: frozenset[Channel], sender: dict[str, str]) -> dict[str, Any]:
    return {
        "if": {
            "required": ["channel"],
            "properties": {"channel": {"enum": sorted(c.value for c in channels)}},
        },
        "then": {"properties": {"from": sender}},
    }


# What the server reads a sender as: an e-mail address when it has an @, else a phone number.
# (The format is said again in each branch: a branch is read as a schema of its own.)
SENDER = "phone-or-email"
PHONE_SENDER = {"type": "string", "format": SENDER, "pattern": "^[^@]*$"}
EMAIL_SENDER = {"type": "string", "format": SENDER, "pattern": "@"}


class InboundIn(Input):
    """A call, a voicemail or a text comes from a phone number; an e-mail from an e-mail address;
    a web form from either."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                _sender_is(PHONE_CHANNELS, PHONE_SENDER),
                _sender_is(EMAIL_CHANNELS, EMAIL_SENDER),
            ]
        }
    )

    channel: Channel = Field(description="call, voicemail, email, text or web_form")
    from_address: str = Field(
        alias="from",
        min_length=1,
        max_length=254,
        description="A phone number or an e-mail address, as the channel says.",
        # A format of our own: a phone number (the "phone" format) or an e-mail address.
        json_schema_extra={"format": SENDER},
    )
    received_at: Moment | None = Field(
        None, description="ISO 8601 with its zone, e.g. 2026-11-23T09:30:00-05:00; default: now."
    )
    summary: str = Field("", max_length=5000)
    name: str = Field("", max_length=200, description="The sender's name, if known.")
    to: str | None = Field(
        None,
        max_length=254,
        description="Username or e-mail of the rep it was sent to (when not matched); 404 when "
        "there is no such user you can see.",
    )
    external_id: str = Field(
        "", max_length=200, description="Your id for it: sending it twice logs it once."
    )


class InboundOut(BaseModel):
    """Null id, customer, owner and deadline: the message went to a book the token's user cannot
    see (the customer's rep owes the reply); ``note`` says so, in the same words for every book."""

    id: int | None = Field(description="The message's id; null when it was passed on.")
    customer: int | None = Field(
        description="The matched customer's id; null when unmatched or passed on."
    )
    owner: str | None = Field(
        description="Username of the rep who owes the reply; null: nobody yet, or passed on."
    )
    reply_due_at: dt.datetime | None = Field(description="The deadline; null when passed on.")
    created: bool = Field(description="False when this external_id was logged before.")
    note: str = ""


class MessageOut(BaseModel):
    id: int
    channel: Channel
    from_address: str = Field(serialization_alias="from")
    name: str
    customer: int | None
    owner: str | None
    summary: str
    received_at: dt.datetime
    reply_due_at: dt.datetime
    replied_at: dt.datetime | None
    replied_by: str | None
    response_minutes: int | None = Field(description="Business minutes from received to replied.")
    breached: bool = Field(description="Replied late, or found unanswered past the deadline.")
    source: Source
    external_id: str


class MessagePage(Page[MessageOut]):
    pass


class MessageFilters(Input):
    owed: QueryFlag | None = Field(None, description="true: still owed a reply; false: replied.")
    customer: int | None = Field(None, ge=1, le=2**31 - 1)
    channel: Channel | None = None
    received_since: Moment | None = Field(None, description="ISO 8601 with its zone.")
    unmatched: QueryFlag | None = Field(None, description="true: no customer matched.")


def message_out(message: InboundMessage) -> MessageOut:
    return MessageOut(
        id=message.pk,
        channel=Channel(message.channel),
        from_address=message.from_address,
        name=message.from_name,
        customer=message.customer_id,
        owner=message.owner.username if message.owner else None,
        summary=message.summary,
        received_at=message.received_at,
        reply_due_at=message.reply_due_at,
        replied_at=message.replied_at,
        replied_by=message.replied_by.username if message.replied_by else None,
        response_minutes=message.response_minutes,
        breached=message.breached,
        source=Source(message.source),
        external_id=message.external_id,
    )


def serialize(rows: Iterable[InboundMessage]) -> list[MessageOut]:
    return [message_out(row) for row in rows]


@router.post(
    "/inbound",
    response=responses({200: InboundOut, 201: InboundOut}, 400, 404, 409),
    summary="Log an inbound message",
    description="A webhook (company tokens may call it). Matches the sender to a customer by "
    "phone or e-mail and starts the reply clock. 201 when logged, 200 when the same external_id "
    "was logged before (nothing new is created). A personal token whose user may not see the "
    "message (another book's customer wrote) gets only a note that it was passed on: the "
    "customer's rep owes the reply.",
)
@idempotent
def post_inbound(request: HttpRequest, payload: InboundIn) -> Status[InboundOut]:
    now = clock.now()
    owner = user_named(request, payload.to, "to") if payload.to else acting_user(request)
    result = receive(
        channel=payload.channel.value,
        from_address=payload.from_address,
        received_at=payload.received_at or now,
        summary=payload.summary,
        now=now,
        owner=owner,
        from_name=payload.name,
        source=Source.API,
        external_id=payload.external_id,
    )
    answer = receipt(result, acting_user(request))
    message = answer.message
    body = InboundOut(
        id=message.pk if message else None,
        customer=message.customer_id if message else None,
        owner=message.owner.username if message and message.owner else None,
        reply_due_at=message.reply_due_at if message else None,
        created=answer.created,
        note=answer.note,
    )
    return Status(201 if result.created else 200, body)


@router.get(
    "/inbound",
    response=responses({200: MessagePage}),
    summary="List inbound messages",
    by_alias=True,
)
def list_messages(
    request: HttpRequest, filters: Query[MessageFilters], page: Query[PageParams]
) -> dict[str, Any]:
    check_query(request, MessageFilters)
    user = personal_user(request)
    rows = InboundMessage.objects.visible_to(user).select_related("owner", "replied_by")
    if filters.owed is True:
        rows = rows.filter(replied_at__isnull=True).order_by("reply_due_at", "id")
    else:
        if filters.owed is False:
            rows = rows.filter(replied_at__isnull=False)
        rows = rows.order_by("-received_at", "-id")
    if filters.customer is not None:
        rows = rows.filter(customer_id=filters.customer)
    if filters.channel is not None:
        rows = rows.filter(channel=filters.channel)
    if filters.unmatched is not None:
        rows = rows.filter(customer__isnull=filters.unmatched)
    if filters.received_since is not None:
        if filters.received_since.tzinfo is None:
            raise ValidationError({"received_since": ["Give the time with its zone, e.g. Z."]})
        rows = rows.filter(received_at__gte=filters.received_since)
    return paginate(request, rows, page, serialize)


@router.get(
    "/inbound/{message_id}",
    response=responses({200: MessageOut}, 404),
    summary="Read an inbound message",
    by_alias=True,
)
def get_message(request: HttpRequest, message_id: int) -> MessageOut:
    messages = InboundMessage.objects.visible_to(personal_user(request)).select_related(
        "owner", "replied_by"
    )
    return message_out(get_visible(messages, message_id, "message"))


@router.post(
    "/inbound/{message_id}/replied",
    response=responses({200: MessageOut}, 404, 409),
    summary="Mark a message replied",
    description="Stops the reply clock (a breach when late), records the contact and closes the "
    "reply on Today. 409 when it was marked replied already.",
    by_alias=True,
)
def replied(request: HttpRequest, message_id: int) -> MessageOut:
    user = personal_user(request)
    message = get_visible(InboundMessage.objects.visible_to(user), message_id, "message")
    return message_out(mark_replied(message, user, clock.now()))
