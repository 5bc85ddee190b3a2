"""``POST /api/inbound``: log a call, voicemail, e-mail, text or web form owed a reply."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from extramile.api.auth import acting_user, user_named
from extramile.inbox.models import Channel, Source
from extramile.inbox.services import receive

router = Router(tags=["inbound"])


class InboundIn(Schema):
    channel: Channel = Field(description="call, voicemail, email, text or web_form")
    from_address: str = Field(
        alias="from", min_length=1, max_length=254, description="A phone number or an e-mail."
    )
    received_at: dt.datetime | None = Field(
        None, description="ISO 8601 with its zone, e.g. 2026-11-23T09:30:00-05:00; default: now."
    )
    summary: str = Field("", max_length=5000)
    name: str = Field("", max_length=200, description="The sender's name, if known.")
    to: str | None = Field(
        None, description="Username or e-mail of the rep it was sent to (when not matched)."
    )
    external_id: str = Field(
        "", max_length=200, description="Your id for it: sending it twice logs it once."
    )


class InboundOut(Schema):
    id: int
    customer: int | None = Field(description="The matched customer's id; null when unmatched.")
    owner: str | None = Field(description="Username of the rep who owes the reply; null: nobody.")
    reply_due_at: dt.datetime
    created: bool = Field(description="False when this external_id was logged before.")
    note: str = ""


class Problem(Schema):
    detail: str


@router.post(
    "/inbound",
    response={200: InboundOut, 201: InboundOut, 401: Problem},
    summary="Log an inbound message",
    description="Matches the sender to a customer by phone or e-mail and starts the reply clock. "
    "201 when logged, 200 when the same external_id was logged before (nothing new is created).",
)
def post_inbound(request: HttpRequest, payload: InboundIn) -> Status[InboundOut]:
    now = timezone.now()
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
    message = result.message
    body = InboundOut(
        id=message.pk,
        customer=message.customer_id,
        owner=message.owner.username if message.owner else None,
        reply_due_at=message.reply_due_at,
        created=result.created,
        note=result.note,
    )
    return Status(201 if result.created else 200, body)
