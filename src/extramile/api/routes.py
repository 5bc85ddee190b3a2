"""The ``NinjaAPI`` (``/api/``, OpenAPI at ``/api/docs``): its routers and error handlers.

Every route needs an API token (``Authorization: Bearer <token>``, see ``tokens.py``); CSRF does
not apply, as no cookie is involved. Errors share one shape, ``{"detail": ...}`` (``errors.py``);
lists share one envelope (``pages.py``); who sees what is ``access.py`` over
``extramile.accounts.scoping``. One module per resource.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI, Router
from ninja.errors import HttpError

from extramile.agenda.services import AlreadyClosed
from extramile.api import (
    actions,
    customers,
    facts,
    households,
    inbound,
    key_dates,
    me,
    notes,
    promises,
    referrals,
    sales,
    service_requests,
    stories,
)
from extramile.api.auth import TokenAuth
from extramile.api.errors import install
from extramile.inbox.services import AlreadyReplied


class ExtraMileAPI(NinjaAPI):
    """A NinjaAPI whose 405 (a known path, a wrong method) is JSON in the one error shape, like
    every other error (ninja answers it in plain text)."""

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for url in urls:
            if isinstance(url, URLPattern):
                url.callback = _json_405(url.callback)
        return urls


def _json_405(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @functools.wraps(view)  # keeps csrf_exempt and ninja's attributes
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.status_code != 405 or response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return response
        allowed = response.get("Allow", "")
        answer = JsonResponse(
            {"detail": f"{request.method} is not allowed here; use {allowed}."}, status=405
        )
        answer["Allow"] = allowed
        return answer

    return wrapper


api = ExtraMileAPI(
    title="ExtraMile API",
    version="1",
    description="The customer book, Today's actions and the webhooks for phone systems and web "
    "forms. Authenticate with `Authorization: Bearer <token>`; create a token in Settings or "
    "with `extramile token create`. A personal token sees what its user sees; a company token "
    "only delivers the webhooks (POST /api/inbound, POST /api/sales). Lists take `limit` and "
    "`offset` and answer `{count, next, previous, results}`; every error is `{detail: ...}`.",
    auth=TokenAuth(),
    urls_namespace="api",
)
install(api)


@api.exception_handler(AlreadyClosed)
def already_closed(request: HttpRequest, error: AlreadyClosed) -> HttpResponse:
    return api.create_response(request, {"detail": " ".join(error.messages)}, status=409)


@api.exception_handler(AlreadyReplied)
def already_replied(request: HttpRequest, error: AlreadyReplied) -> HttpResponse:
    return api.create_response(request, {"detail": " ".join(error.messages)}, status=409)


for module in (
    me,
    customers,
    households,
    key_dates,
    facts,
    sales,
    referrals,
    promises,
    service_requests,
    inbound,
    actions,
    stories,
    notes,
):
    api.add_router("/", module.router)

# Anything else under /api/ is a 404 in the same shape (not Django's HTML page).
unknown = Router(auth=None)


@unknown.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False
)
def no_such_route(request: HttpRequest, rest: str) -> HttpResponse:
    raise HttpError(404, f"There is no API route /api/{rest}; see /api/docs.")


api.add_router("/", unknown)
