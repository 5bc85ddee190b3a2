"""Notes: the one writer. Pages and the API fetch the customer through the scoping functions
first, then call ``add_note``."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from extramile.accounts.models import User
from extramile.book.models import Customer
from extramile.timeline.models import MAX_NOTE, Note, NoteSource


def clean_note(text: str) -> str:
    """The note's text, trimmed; refuses an empty or over-long one."""
    text = (text or "").strip().replace("\r\n", "\n")
    if not text:
        raise ValidationError("Write the note first.")
    if "\x00" in text:
        raise ValidationError("A note cannot contain the NUL character.")
    if len(text) > MAX_NOTE:
        raise ValidationError(f"Keep a note under {MAX_NOTE:,} characters ({len(text):,} now).")
    return text


def add_note(
    customer: Customer, user: User | None, text: str, now: dt.datetime, source: str = NoteSource.WEB
) -> Note:
    return Note.objects.create(
        customer=customer, author=user, at=now, text=clean_note(text), source=source
    )
