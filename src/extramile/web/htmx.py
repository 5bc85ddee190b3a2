"""One helper for pages that also answer htmx requests with just a fragment."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def render_page(
    request: HttpRequest, page: str, partial: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """The whole ``page`` for a normal request; only ``partial`` for an htmx request."""
    return render(request, partial if is_htmx(request) else page, context, status=status)
