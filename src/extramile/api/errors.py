"""One error format for the whole API: ``{"detail": ...}``.

``detail`` is a sentence for every status but 422, where it is a list of problems, each with where
it is (``loc``: ``["body", "amount"]``, ``["query", "limit"]``) and what is wrong (``msg``), so a
client can show every problem at once. Every operation's OpenAPI entry lists the statuses it can
answer with these schemas (``responses``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from extramile.accounts.throttle import Throttled

logger = logging.getLogger("extramile.api")

NOT_FOUND = "There is no such object, or it is not yours to see."
SERVER_ERROR = "Something went wrong on our side; it has been logged. Please try again later."


class Problem(Schema):
    detail: str = Field(description="What went wrong, in a sentence.")


class Issue(Schema):
    loc: list[str | int] = Field(
        description='Where: ["body", "amount"], ["query", "limit"], ["path", "id"].'
    )
    msg: str = Field(description="What is wrong with it.")
    type: str = Field("invalid", description="A machine-readable kind, e.g. missing, invalid.")


class ValidationProblem(Schema):
    detail: list[Issue]


# Every operation can answer these (an unknown or revoked token, a company token on a route for
# personal tokens, a bad parameter, too many refused tokens from one client, a fault of ours).
BASE = (401, 403, 422, 429, 500)


def responses(ok: dict[int, Any], *extra: int) -> dict[int, Any]:
    """An operation's responses: its successes plus the error statuses it can answer."""
    codes = sorted({*BASE, *extra})
    return {**ok, **{code: ValidationProblem if code == 422 else Problem for code in codes}}


def django_problems(error: DjangoValidationError) -> list[dict[str, Any]]:
    if hasattr(error, "error_dict"):
        return [
            {"loc": ["body", field] if field != "__all__" else ["body"], "msg": message}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return [{"loc": ["body"], "msg": message} for message in error.messages]


def _plain(value: Any) -> str | int:
    return value if isinstance(value, int) else str(value)


def _where(loc: Any) -> list[str | int]:
    """``["body", "payload", "amount"]`` → ``["body", "amount"]``: the body parameter's name
    (``payload`` in every operation) says nothing to a client, and domain errors leave it out."""
    parts = [_plain(part) for part in loc or ()]
    if parts[:2] == ["body", "payload"]:
        parts = ["body", *parts[2:]]
    return parts


def _message(error: dict[str, Any]) -> str:
    """Pydantic's sentence, or ours where it would quote a regular expression at a person."""
    from extramile.api.types import EMAIL_PATTERN, NO_NUL, NOT_BLANK

    if error.get("type") == "string_pattern_mismatch":
        pattern = (error.get("ctx") or {}).get("pattern")
        if pattern == NOT_BLANK:
            return "Write something here: it cannot be empty or only spaces."
        if pattern == EMAIL_PATTERN:
            return "Write an e-mail address such as ann@example.com."
        if pattern == NO_NUL:
            return "Text cannot contain the NUL character (\\u0000)."
    return str(error.get("msg", "Invalid value."))


def _about(error: dict[str, Any]) -> list[str | int]:
    """The field a rule across fields is about (``rules.refuse``), after the body's place."""
    field = (error.get("ctx") or {}).get("field")
    return [str(field)] if field else []


def ninja_problems(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic's errors, trimmed to loc/msg/type (no echo of the input, which may be large)."""
    return [
        {
            "loc": _where(error.get("loc")) + _about(error),
            "msg": _message(error),
            "type": str(error.get("type", "invalid")),
        }
        for error in errors
    ]


@contextmanager
def as_conflict() -> Iterator[None]:
    """Around a rule that the records as they stand decide, not the request alone (an action
    closed already, a request resolved, a change that leaves a customer without a name): its
    refusal is a 409 with the service's sentence. What the request alone gets wrong is a 422, and
    the schema says it."""
    try:
        yield
    except DjangoValidationError as error:
        raise HttpError(409, " ".join(error.messages)) from None


def install(api: NinjaAPI) -> None:
    """Register the handlers that give every error the same shape."""

    def problem(request: HttpRequest, status: int, detail: object) -> HttpResponse:
        return api.create_response(request, {"detail": detail}, status=status)

    @api.exception_handler(NinjaValidationError)
    def invalid_input(request: HttpRequest, error: NinjaValidationError) -> HttpResponse:
        return problem(request, 422, ninja_problems(error.errors))

    @api.exception_handler(DjangoValidationError)
    def invalid_change(request: HttpRequest, error: DjangoValidationError) -> HttpResponse:
        return problem(request, 422, django_problems(error))

    @api.exception_handler(AuthenticationError)
    def refused(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
        response = problem(request, 401, error.message)
        response["WWW-Authenticate"] = 'Bearer realm="extramile"'
        return response

    @api.exception_handler(Throttled)
    def throttled(request: HttpRequest, error: Throttled) -> HttpResponse:
        response = problem(request, 429, str(error))
        response["Retry-After"] = str(error.retry_after)
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
        return problem(request, error.status_code, error.message)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
        return problem(request, 404, NOT_FOUND)

    @api.exception_handler(IntegrityError)
    def conflict(request: HttpRequest, error: IntegrityError) -> HttpResponse:
        # Not the database's message: it quotes the conflicting values (an address, a name).
        logger.info(
            "API conflict on %s %s (%s)", request.method, request.path, type(error).__name__
        )
        return problem(
            request, 409, "That conflicts with a record saved at the same moment; try again."
        )

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, error: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path)
        return problem(request, 500, SERVER_ERROR)
