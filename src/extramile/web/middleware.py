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
