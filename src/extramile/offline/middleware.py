"""``Idempotency-Key`` on page POSTs: the offline queue's replays are done once.

The browser's queue (``static/extramile/offline.js``) sends each change it kept while offline with
a key of its own. The first POST with a key runs the view and stores its answer (status, body,
Location, the problem it reported) **in the same transaction** as the change; the same key again
(a replay cut off before its answer arrived, a queue replayed twice) gets the stored answer with
``Idempotent-Replayed: true`` and changes nothing. The same key on another path or with another
body is a 409, and so is a key whose first request is still running. A request that failed
(4xx, 5xx) stores nothing, so it can be retried. Keys are per user and kept for ``KEEP``.

It runs in ``process_view``, after the CSRF check and authentication, for signed-in users only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from extramile import clock
from extramile.offline.models import PageRequest

HEADER = "Idempotency-Key"
PROBLEM = "X-Problem"
KEEP = dt.timedelta(days=7)
MAX_KEY = 255


def body_hash(request: HttpRequest) -> str:
    """The form's fields without the CSRF token (a replay carries a fresh one)."""
    fields = sorted(
        (name, value)
        for name in request.POST
        if name != "csrfmiddlewaretoken"
        for value in request.POST.getlist(name)
    )
    return hashlib.sha256(repr(fields).encode()).hexdigest()


def mark_problem(response: HttpResponseBase, text: str) -> None:
    """Say in a header what went wrong (percent-encoded UTF-8), for the offline queue's replay:
    the answer is still the page's fragment, with the message in it."""
    response[PROBLEM] = quote(text[:500])


def _replay(record: PageRequest) -> HttpResponse:
    response = HttpResponse(
        record.content, status=record.status or 200, content_type=record.content_type or None
    )
    if record.location:
        response["Location"] = record.location
    if record.problem:
        response[PROBLEM] = record.problem
    response["Idempotent-Replayed"] = "true"
    return response


def _refuse(text: str) -> HttpResponse:
    return HttpResponse(text, status=409, content_type="text/plain; charset=utf-8")


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., HttpResponseBase],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        key = request.headers.get(HEADER, "").strip()
        user = getattr(request, "user", None)
        if request.method != "POST" or not key or user is None or not user.is_authenticated:
            return None
        if request.path.startswith("/api/"):
            return None  # the API has its own (per token): extramile.api.idempotency
        if len(key) > MAX_KEY or "\x00" in key:
            return HttpResponse(f"An {HEADER} is up to {MAX_KEY} printable characters.", status=400)
        now = clock.now()
        digest = body_hash(request)
        PageRequest.objects.filter(user=user, created_at__lt=now - KEEP).delete()
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = PageRequest.objects.create(
                        user=user,
                        key=key,
                        path=request.path[:500],
                        body_hash=digest,
                        created_at=now,
                    )
            except IntegrityError:
                earlier = PageRequest.objects.get(user=user, key=key)
                if (earlier.path, earlier.body_hash) != (request.path[:500], digest):
                    return _refuse(f"This {HEADER} was used for another change; use a new key.")
                if earlier.status is None:
                    return _refuse(f"The change with this {HEADER} is still being made.")
                return _replay(earlier)
            response = view(request, *args, **kwargs)
            if getattr(response, "streaming", False) or response.status_code >= 400:
                transaction.set_rollback(True)
                return response
            assert isinstance(response, HttpResponse)
            record.status = response.status_code
            record.content = response.content.decode(response.charset or "utf-8", "replace")
            record.content_type = response.get("Content-Type", "")[:100]
            record.location = response.get("Location", "")[:1000]
            record.problem = response.get(PROBLEM, "")[:1000]
            record.save(update_fields=["status", "content", "content_type", "location", "problem"])
            return response
