"""Input types that accept what the OpenAPI schema says and nothing looser.

Pydantic's lax mode would take ``0`` for a date (the Unix epoch), ``"1"`` for a number in a JSON
body, or ``0`` for false; a client that sends those has a bug, and should hear about it (422)
rather than have a promise saved as due on 1 January 1970.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, Field, Strict, model_validator

NUMERIC = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _text_only(example: str) -> Any:
    def check(value: Any) -> Any:
        if isinstance(value, bool | int | float | Decimal):
            raise ValueError(f"Write it as text in ISO 8601, e.g. {example}.")
        if isinstance(value, str) and NUMERIC.fullmatch(value.strip()):
            raise ValueError(f"Write it in ISO 8601, e.g. {example}.")
        return value

    return check


def _true_or_false(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise ValueError("Use true or false.")


# A day, YYYY-MM-DD (in a body or a query string).
Day = Annotated[dt.date, BeforeValidator(_text_only("2026-11-23"))]
# An instant, ISO 8601 with its zone.
Moment = Annotated[dt.datetime, BeforeValidator(_text_only("2026-11-23T09:30:00-05:00"))]
# In a JSON body: a JSON number, a JSON boolean.
Int = Annotated[int, Strict()]
Flag = Annotated[bool, Strict()]
# An id in a JSON body (a list of members, say).
Id = Annotated[int, Strict(), Field(ge=1, le=2**31 - 1)]
# In a query string: true or false.
QueryFlag = Annotated[bool, BeforeValidator(_true_or_false)]


def unchanged(**constraints: Any) -> Any:
    """A PATCH field: left out, it is unchanged (``model_dump(exclude_unset=True)``); sent, it is
    validated as its type says (so ``null`` is refused unless the type allows it)."""
    return Field(None, **constraints)


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(item) for item in value)
    return False


class Input(Schema):
    """Every request body and set of query parameters: no text may hold a NUL character, which
    PostgreSQL cannot store (and no person types)."""

    @model_validator(mode="before")
    @classmethod
    def no_nul_characters(cls, data: Any) -> Any:
        raw = getattr(data, "_obj", data)  # ninja may hand a DjangoGetter around the dict
        if _has_nul(raw if isinstance(raw, dict) else data):
            raise ValueError("Text cannot contain the NUL character (\\u0000).")
        return data
