"""Pagination: ``?limit=&offset=`` and one envelope for every list.

``{"count": 1234, "next": "<url>", "previous": "<url>", "results": [...]}`` — ``next`` and
``previous`` are absolute URLs with every filter kept, or null at either end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.errors import ValidationError
from pydantic import BaseModel

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

T = TypeVar("T")


class PageParams(Schema):  # numbers only: no text to check
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page (1–500).")
    offset: int = Field(0, ge=0, le=10_000_000, description="How many items to skip.")


class Page(BaseModel, Generic[T]):
    count: int = Field(description="How many items match, over all pages.")
    next: str | None = Field(description="The next page's URL; null on the last page.")
    previous: str | None = Field(description="The previous page's URL; null on the first.")
    results: list[T]


def _url(request: HttpRequest, offset: int, limit: int) -> str:
    params = request.GET.copy()
    params["offset"] = str(offset)
    params["limit"] = str(limit)
    query = urlencode(sorted(params.lists()), doseq=True)
    return request.build_absolute_uri(f"{request.path}?{query}")


def check_query(request: HttpRequest, *schemas: type[Schema]) -> None:
    """Refuse query parameters the operation does not know (a misspelt filter would otherwise
    quietly return everything)."""
    known = {"limit", "offset"}
    for schema in schemas:
        known |= {field.alias or name for name, field in schema.model_fields.items()}
    unknown = sorted(set(request.GET) - known)
    if unknown:
        raise ValidationError(
            [
                {
                    "loc": ["query", name],
                    "msg": f"Unknown parameter; use {', '.join(sorted(known))}.",
                }
                for name in unknown
            ]
        )


def paginate(
    request: HttpRequest,
    queryset: QuerySet[Any],
    page: PageParams,
    serialize: Callable[[Iterable[Any]], list[Any]],
) -> dict[str, Any]:
    """One page of ``queryset`` (already filtered, scoped and ordered) in the envelope."""
    count = queryset.count()
    limit, offset = page.limit, page.offset
    rows = list(queryset[offset : offset + limit]) if offset < count else []
    return {
        "count": count,
        "next": _url(request, offset + limit, limit) if offset + limit < count else None,
        "previous": _url(request, max(0, offset - limit), limit) if offset > 0 else None,
        "results": serialize(rows),
    }
