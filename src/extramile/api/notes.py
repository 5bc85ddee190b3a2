"""``/api/customers/{id}/notes``: a quick note on a customer, as from Today or the customer page.

Scoped like the rest: a rep only on their own book, a manager on the team's (another book's
customer is a 404). Honours ``Idempotency-Key``, so an app's retried note is saved once.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Status
from pydantic import BaseModel

from extramile import clock
from extramile.api.access import customer_or_404, personal_user
from extramile.api.errors import responses
from extramile.api.idempotency import idempotent
from extramile.api.types import Input
from extramile.timeline.models import MAX_NOTE, Note, NoteSource
from extramile.timeline.services import add_note

router = Router(tags=["notes"])


class NoteIn(Input):
    text: str = Field(min_length=1, max_length=MAX_NOTE, description="What to remember.")


class NoteOut(BaseModel):
    id: int
    customer: int
    text: str
    at: dt.datetime
    author: str | None


def note_out(note: Note) -> NoteOut:
    return NoteOut(
        id=note.pk,
        customer=note.customer_id,
        text=note.text,
        at=note.at,
        author=note.author.username if note.author else None,
    )


@router.post(
    "/customers/{customer_id}/notes",
    response=responses({201: NoteOut}, 400, 404, 409),
    summary="Add a note to a customer",
    description="A quick note, shown on the customer's timeline. 404 for a customer you cannot "
    "see; 409 when the Idempotency-Key was used for another request; 422 for an empty note.",
)
@idempotent
def create_note(request: HttpRequest, customer_id: int, payload: NoteIn) -> Status[NoteOut]:
    user = personal_user(request)
    customer = customer_or_404(user, customer_id)
    try:
        note = add_note(customer, user, payload.text, clock.now(), NoteSource.API)
    except ValidationError as error:
        raise ValidationError({"text": error.messages}) from None
    return Status(201, note_out(note))
