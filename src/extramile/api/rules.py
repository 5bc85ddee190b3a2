"""Rules across the fields of one request, said twice in the same words: as JSON Schema (in the
OpenAPI document, so a client can check a request before sending it) and in Python (so the
server refuses exactly that, with a 422).

What only the stored record can tell (a PATCH of the day alone, on a key date in April) is not
here: the service decides, and the API answers 409 (``errors.as_conflict``).
"""

from __future__ import annotations

from typing import Any

from pydantic_core import PydanticCustomError

from extramile.api.types import NOT_BLANK
from extramile.book import dates

THIRTY_DAYS = [4, 6, 9, 11]
LEAP_YEAR = {"anyOf": [{"multipleOf": 400}, {"multipleOf": 4, "not": {"multipleOf": 100}}]}


def _given(*names: str, **conditions: Any) -> dict[str, Any]:
    """Schema: these fields are in the request, and match ``conditions``."""
    return {"required": list(names), "properties": conditions}


INTEGER = {"type": "integer"}


def month_day_schema(month: str, day: str, year: str, *, patch: bool) -> list[Any]:
    """``dates.check_month_day`` as JSON Schema: 30 February never, 29 February in a leap year
    (or without a year); a month and a day together or neither; a year only with them.

    For a PATCH (``patch``) a rule applies only when the request sends every field it reads."""
    rules: list[dict[str, Any]] = [
        {
            "if": _given(month, day, **{month: {"enum": THIRTY_DAYS}, day: INTEGER}),
            "then": {"properties": {day: {"maximum": 30}}},
        },
        {
            "if": _given(month, day, **{month: {"const": 2}, day: INTEGER}),
            "then": {"properties": {day: {"maximum": 29}}},
        },
        {
            "if": _given(
                month, day, year, **{month: {"const": 2}, day: {"const": 29}, year: INTEGER}
            ),
            "then": {"properties": {year: LEAP_YEAR}},
        },
    ]
    if patch:
        # Both sent: both numbers or both null. A year sent with a month: a number needs one.
        rules += [
            {
                "if": _given(month, day, **{month: INTEGER}),
                "then": {"properties": {day: INTEGER}},
            },
            {
                "if": _given(month, day, **{day: INTEGER}),
                "then": {"properties": {month: INTEGER}},
            },
            {
                "if": _given(month, year, **{year: INTEGER}),
                "then": {"properties": {month: INTEGER}},
            },
        ]
    else:
        rules += [
            {"if": _given(month, **{month: INTEGER}), "then": _given(day, **{day: INTEGER})},
            {"if": _given(day, **{day: INTEGER}), "then": _given(month, **{month: INTEGER})},
            {"if": _given(year, **{year: INTEGER}), "then": _given(month, **{month: INTEGER})},
        ]
    return rules


def refuse(field: str, kind: str, message: str) -> PydanticCustomError:
    """A rule's refusal, said about ``field`` (``errors.ninja_problems`` puts it in ``loc``)."""
    return PydanticCustomError(kind, message, {"field": field})


def check_month_day(data: dict[str, Any], month: str, day: str, year: str, *, patch: bool) -> None:
    """The rules of ``month_day_schema`` on a request's fields (``data``: the fields sent)."""
    if patch:
        if month in data and day in data:
            error = dates.check_month_day(data[month], data[day], data.get(year))
            if error:
                raise refuse(day, "date_impossible", error)
        if month in data and data.get(year) is not None and data[month] is None:
            raise refuse(month, "date_impossible", "A year needs a month and a day.")
        return
    error = dates.check_month_day(data.get(month), data.get(day), data.get(year))
    if error:
        raise refuse(day, "date_impossible", error)
    if data.get(year) is not None and data.get(month) is None:
        raise refuse(month, "date_impossible", "A year needs a month and a day.")


def one_of_schema(names: tuple[str, ...]) -> dict[str, Any]:
    """Schema: at least one of these texts says something."""
    return {"anyOf": [_given(name, **{name: {"pattern": NOT_BLANK}}) for name in names]}


def check_one_of(data: dict[str, Any], names: tuple[str, ...], message: str) -> None:
    if not any(isinstance(data.get(name), str) and data[name].strip() for name in names):
        raise PydanticCustomError("missing", message)


def check_text_when(data: dict[str, Any], field: str, value: str, text: str, message: str) -> None:
    """``given_then_text_schema`` (and its PATCH form: only when both are sent)."""
    if data.get(field) == value and text in data and not str(data[text] or "").strip():
        raise refuse(text, "missing", message)


def given_then_text_schema(field: str, value: str, text: str) -> dict[str, Any]:
    """Schema: when ``field`` is ``value``, ``text`` is given and says something."""
    return {
        "if": _given(field, **{field: {"const": value}}),
        "then": _given(text, **{text: {"pattern": NOT_BLANK}}),
    }


def given_then_text_schema_patch(field: str, value: str, text: str) -> dict[str, Any]:
    """The same for a PATCH: only when both are sent."""
    return {
        "if": _given(field, text, **{field: {"const": value}}),
        "then": {"properties": {text: {"pattern": NOT_BLANK}}},
    }
