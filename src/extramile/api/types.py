"""Input types that accept what the OpenAPI schema says and nothing looser.

Pydantic's lax mode would take ``0`` for a date (the Unix epoch), ``"1"`` for a number in a JSON
body, or ``0`` for false; a client that sends those has a bug, and should hear about it (422)
rather than have a promise saved as due on 1 January 1970.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from decimal import Decimal
from typing import Annotated, Any

import phonenumbers
from ninja import Schema
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    Strict,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

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


def _whole_number(value: Any) -> Any:
    """A JSON number without a fraction: ``7`` or ``7.0`` (JSON Schema's "integer" is a value, so
    ``2997405.0`` is one), never ``"7"``, ``true`` or ``7.5``."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError("int_type", "Give a whole number, e.g. 7.")
    return value


CENTS = Decimal("0.01")


def _amount(max_digits: int) -> Any:
    whole = max_digits - 2
    pattern = re.compile(rf"[0-9]{{1,{whole}}}(\.[0-9]{{1,2}})?")

    def refuse(why: str) -> PydanticCustomError:
        return PydanticCustomError("decimal_type", why)

    def check(value: Any) -> Any:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, float):
            # A JSON number with a fraction is a binary float (0.35 is 0.34999999999999997...):
            # cents travel as text, which says exactly what was meant.
            raise refuse('Send an amount with cents as text, e.g. "480.50" (or a whole 480).')
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise refuse('Give an amount, e.g. 480 or "480.50".')
        if pattern.fullmatch(value):
            return Decimal(value)
        try:
            amount = Decimal(value)
        except ArithmeticError:
            raise refuse(f"“{value[:40]}” is not an amount; write it like 480 or 480.50.") from None
        if not amount.is_finite():
            raise refuse("Give an amount, e.g. 480 or 480.50.")
        if amount < 0:
            raise refuse("An amount cannot be negative.")
        if amount != amount.quantize(CENTS):
            raise refuse("Give the amount to the cent at most.")
        if amount >= Decimal(10) ** whole:
            raise refuse(f"An amount has at most {whole} digits before the point.")
        raise refuse("Write the amount as digits, e.g. 480 or 480.50.")

    return check


def _amount_schema(max_digits: int) -> dict[str, Any]:
    whole = max_digits - 2
    return {
        "anyOf": [
            {"type": "integer", "minimum": 0, "maximum": 10**whole - 1},
            {"type": "string", "pattern": rf"^[0-9]{{1,{whole}}}(\.[0-9]{{1,2}})?$"},
        ],
        "description": f"Not negative, up to {whole} digits before the point: a whole number "
        '(480), or text with the cents ("480.50"; a JSON number with a fraction is a binary '
        "float, so cents travel as text).",
    }


# Money in a JSON body: a whole number (480) or text with up to two decimals ("480.50"), not
# negative, as many digits as its column stores.
Amount = Annotated[
    Decimal,
    BeforeValidator(_amount(12)),
    Field(ge=0, max_digits=12, decimal_places=2),
    WithJsonSchema(_amount_schema(12)),
]
SmallAmount = Annotated[
    Decimal,
    BeforeValidator(_amount(10)),
    Field(ge=0, max_digits=10, decimal_places=2),
    WithJsonSchema(_amount_schema(10)),
]


# In a JSON body: a JSON number, a JSON boolean.
Int = Annotated[int, Strict(), BeforeValidator(_whole_number)]
Flag = Annotated[bool, Strict()]
# An id in a JSON body (a list of members, say).
Id = Annotated[int, Strict(), BeforeValidator(_whole_number), Field(ge=1, le=2**31 - 1)]
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


# What every text in a request may be (the schema says it on every string it describes).
NO_NUL = "^[^\\x00]*$"
# What Python's str.strip() and str.split() take away (str.isspace()), as a regex class in the
# syntax JSON Schema (ECMA-262), Python's re and pydantic's Rust regex all read the same way.
BLANKS = "\\x09-\\x0d\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
# A text that must say something: not only blanks (the services trim it, and would find nothing).
NOT_BLANK = f"^[{BLANKS}]*[^\\x00{BLANKS}][^\\x00]*$"


def required_text(max_length: int, **extra: Any) -> Any:
    """A text that must be given and say something (not only spaces): the schema says so."""
    return Field(min_length=1, max_length=max_length, pattern=NOT_BLANK, **extra)


def _format(name: str, description: str, max_length: int) -> Any:
    return Field(max_length=max_length, description=description, json_schema_extra={"format": name})


# Formats of our own (OpenAPI allows them): the description says what they are, and
# ``tests/api/schemathesis_hooks.py`` teaches schemathesis to write valid ones.
Phone = Annotated[
    str,
    _format(
        "phone",
        "A phone number as dialled from the company's country, or with its country code "
        "(+44 20 7946 0958); stored as E.164.",
        40,
    ),
]
# An e-mail address as the server reads it (email-validator): narrower than JSON Schema's
# "email", which also allows a quoted local part, an IP address or a domain without a dot.
EMAIL_PATTERN = r'^[^\s"@]+@[^\s"@\[\]]+\.[^\s"@\[\].]{2,}$'
Email = Annotated[
    str,
    Field(
        max_length=254,
        pattern=EMAIL_PATTERN,
        description="An e-mail address (its domain is not looked up).",
        json_schema_extra={"format": "email"},
    ),
]


def _time_zone(value: str) -> str:
    if value:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise PydanticCustomError(
                "time_zone", "Use a time zone name such as Europe/London or America/Chicago."
            ) from None
    return value


TimeZoneName = Annotated[
    str,
    AfterValidator(_time_zone),
    _format(
        "time-zone",
        "An IANA time zone name such as Europe/London or America/Chicago; empty: the company's.",
        64,
    ),
]


def _country(value: Any) -> Any:
    if value != "" and value not in COUNTRIES:
        raise PydanticCustomError(
            "enum", "Use a two-letter country code such as US, GB or DE (or us, gb, de)."
        )
    return value.upper()


# The countries a phone number can belong to (what ``accounts.models.validate_country`` takes),
# in capitals or in small letters; stored in capitals.
COUNTRIES = sorted(phonenumbers.SUPPORTED_REGIONS) + sorted(
    code.lower() for code in phonenumbers.SUPPORTED_REGIONS
)
Country = Annotated[
    str,
    AfterValidator(_country),
    WithJsonSchema(
        {
            "type": "string",
            "enum": ["", *COUNTRIES],
            "description": "A two-letter country code (US, GB, DE, or us, gb, de); empty: none.",
        }
    ),
]


BOUNDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}


def _say_no_nul(schema: Any) -> None:
    """Add ``pattern: NO_NUL`` to every plain string of a request schema (not to dates, enums or
    strings with a pattern of their own); other models (``$ref``) do it in their own schema."""
    if isinstance(schema, list):
        for item in schema:
            _say_no_nul(item)
        return
    if not isinstance(schema, dict) or "$ref" in schema:
        return
    if schema.get("type") == "string" and not {"format", "enum", "const", "pattern"} & set(schema):
        schema["pattern"] = NO_NUL
    # pydantic writes a constraint it could not place (on an Int inside a union or a list) under
    # its Python name; JSON Schema calls it otherwise.
    for python, json_name in BOUNDS.items():
        if python in schema:
            schema[json_name] = schema.pop(python)
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        _say_no_nul(schema.get(key))
    _say_no_nul(schema.get("items"))
    for sub in (schema.get("properties") or {}).values():
        _say_no_nul(sub)


class Input(Schema):
    """Every request body and set of query parameters.

    A body is a JSON object (``123`` or ``[null, null]`` is a 422, not a request with every field
    at its default); it has only the fields its schema names (``additionalProperties: false``: a
    misspelt field is a 422, not quietly ignored); and no text may hold a NUL character, which
    PostgreSQL cannot store and no person types (the schema says so on every string).
    """

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def an_object_without_nul_characters(cls, data: Any) -> Any:
        raw = getattr(data, "_obj", data)  # ninja may hand a DjangoGetter around the dict
        if not isinstance(raw, dict):
            raise PydanticCustomError(
                "model_type", "Send a JSON object, {...}, with the fields this operation takes."
            )
        if _has_nul(raw):
            raise PydanticCustomError(
                "string_pattern_mismatch", "Text cannot contain the NUL character (\\u0000)."
            )
        return data

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        _say_no_nul(handler.resolve_ref_schema(schema))
        return schema
