"""The JSON API (django-ninja): ``/api/``, with its OpenAPI description at ``/api/docs``.

Every route needs an API token (``Authorization: Bearer <token>``, see ``tokens.py``); CSRF does
not apply, as no cookie is involved. Domain errors (Django's ValidationError) answer 422 in the
same shape as ninja's own validation errors: ``{"detail": [{"loc": [...], "msg": "..."}]}``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from extramile.api.auth import TokenAuth
from extramile.api.inbound import router as inbound_router
from extramile.api.sales import router as sales_router

api = NinjaAPI(
    title="ExtraMile API",
    version="1",
    description="Log inbound messages and sales from other systems. Authenticate with "
    "`Authorization: Bearer <token>`; create a token in Settings or with `extramile token create`.",
    auth=TokenAuth(),
    urls_namespace="api",
)
api.add_router("/", inbound_router)
api.add_router("/", sales_router)


def problems(error: ValidationError) -> list[dict[str, object]]:
    if hasattr(error, "error_dict"):
        return [
            {"loc": ["body", field], "msg": message}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return [{"loc": ["body"], "msg": message} for message in error.messages]


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": problems(error)}, status=422)


@api.exception_handler(AuthenticationError)
def refused(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, {"detail": error.message}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="extramile"'
    return response
