"""Headers every page gets: Permissions-Policy, and ``Cache-Control: no-store`` on private answers.

Django's SecurityMiddleware sends HSTS, nosniff and the referrer policy; django-csp the
Content-Security-Policy (settings.py). This adds the rest (docs/operations.md, "Headers"):

- ``Permissions-Policy``: camera, microphone, geolocation and the other powerful features the app
  never uses are off, so no injected or third-party code could ask for them;
- ``Cache-Control: no-store, private`` on every answer to a signed-in person (a page, a fragment,
  a download) and to an API token (``request.auth`` is set by django-ninja once a token is
  accepted): a shared computer's back button, disk cache or a proxy keeps no copy of a book.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control


class PrivateHeaders:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        if is_private(request):
            patch_cache_control(response, no_store=True, private=True)
        return response


def is_private(request: HttpRequest) -> bool:
    """A signed-in person's request, or one an API token was accepted for."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    return getattr(request, "auth", None) is not None


class TodayCounts:
    """Today's counters, out of band, on every htmx answer that swaps one of Today's rows.

    A row's buttons post to many views (Done / Skip / Snooze here, call outcomes, "Replied", the
    thank-you note's "Mailed", a lunch, a surprise…); each answers with the row. When the page that
    asked is Today and the target is an action row (``#action-<id>``), this appends the counters
    (``agenda/_today_counts.html`` with ``hx-swap-oob``), so "to do", "overdue", "done" and every
    section's count change with the row, from the one query Today itself reads. Only for Today:
    other pages showing rows (Calls) have no counters, and an out-of-band swap without its target
    is an error in the browser.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if wants_today_counts(request, response):
            from extramile.web.today import oob_counts

            response.content = response.content + oob_counts(request).encode()  # type: ignore[attr-defined]
        return response


def wants_today_counts(request: HttpRequest, response: HttpResponseBase) -> bool:
    from django.urls import reverse

    htmx = getattr(request, "htmx", None)
    if not htmx or request.method != "POST" or response.status_code != 200:
        return False
    if getattr(response, "streaming", False) or not response.get("Content-Type", "").startswith(
        "text/html"
    ):
        return False
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    target = htmx.target or ""
    page = (htmx.current_url_abs_path or "").split("?", 1)[0]
    return target.startswith("action-") and page == reverse("today")
