"""``Idempotency-Key``: send the same POST twice with the same key and it is done once.

The first request's answer (status and body) is stored with the key, in the same transaction as
the change it made; a retry with the same key, method, path and body gets that answer again (with
``Idempotent-Replayed: true``) and changes nothing. The same key with a different request is a
409. A request that failed (4xx, 5xx) stores nothing, so it can be retried. Keys are per token and
kept for a day. (``POST /api/inbound`` also has its own ``external_id``.)
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import inspect
import json
import typing
from collections.abc import Callable
from typing import Annotated, Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from ninja import Header, Status
from ninja.errors import HttpError, ValidationError
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel

from extramile import clock
from extramile.api.auth import token_of
from extramile.api.models import IdempotentRequest

HEADER = "Idempotency-Key"
PARAMETER = "idempotency_key"
KEEP = dt.timedelta(hours=24)
MAX_KEY = 255


def _jsonable(value: Any) -> Any:
    """The body as ninja renders it (its encoder: milliseconds in times, aliases as keys)."""
    if isinstance(value, BaseModel):
        value = value.model_dump(by_alias=True)
    return json.loads(json.dumps(value, cls=NinjaJSONEncoder))


def _replay(record: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(
        json.dumps(record.response), status=record.status, content_type="application/json"
    )
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Make a POST view honour the ``Idempotency-Key`` header."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        kwargs.pop(PARAMETER, None)  # declared for the schema; read from the request below
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return view(request, *args, **kwargs)
        if len(key) > MAX_KEY or "\x00" in key:
            raise ValidationError(
                [
                    {
                        "loc": ["header", HEADER],
                        "msg": f"Use up to {MAX_KEY} printable characters.",
                    }
                ]
            )
        token = token_of(request)
        now = clock.now()
        digest = hashlib.sha256(request.body).hexdigest()
        IdempotentRequest.objects.filter(token=token, created_at__lt=now - KEEP).delete()
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotentRequest.objects.create(
                        token=token,
                        key=key,
                        method=request.method or "",
                        path=request.path[:500],
                        body_hash=digest,
                        created_at=now,
                    )
            except IntegrityError:
                earlier = IdempotentRequest.objects.get(token=token, key=key)
                same = (earlier.method, earlier.path, earlier.body_hash) == (
                    request.method,
                    request.path[:500],
                    digest,
                )
                if not same:
                    raise HttpError(
                        409, f"This {HEADER} was used for a different request; use a new key."
                    ) from None
                if earlier.status is None:
                    raise HttpError(
                        409, f"The request with this {HEADER} is still being processed."
                    ) from None
                return _replay(earlier)
            result = view(request, *args, **kwargs)
            if isinstance(result, Status):
                record.status, record.response = result.status_code, _jsonable(result.value)
            else:
                record.status, record.response = 200, _jsonable(result)
            record.save(update_fields=["status", "response"])
            return result

    # ninja reads the view's signature and resolves its annotations in the function's module;
    # hand it the resolved types, as the wrapper lives in this module.
    # The header is declared too, so the OpenAPI document lists it on every operation that
    # honours it.
    hints = typing.get_type_hints(view, include_extras=True)
    signature = inspect.signature(view)
    header = inspect.Parameter(
        PARAMETER,
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[
            str | None,
            Header(
                alias=HEADER,
                description="Any string up to 255 characters, new for each change: the same "
                "request sent again with the same key within a day is answered as the first "
                "time and changes nothing.",
            ),
        ],
    )
    wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[
            *(
                p.replace(annotation=hints.get(p.name, p.annotation))
                for p in signature.parameters.values()
            ),
            header,
        ]
    )
    return wrapper
